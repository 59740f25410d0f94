import Foundation

/// Where the password of a shared history comes from, as libpq looks for it: `PGPASSWORD`,
/// else the password file (`PGPASSFILE`, else `~/.pgpass`), never the command line. A password
/// file that group or others can read is ignored with a warning, as libpq ignores it.
public enum PostgresPassword {
  /// The password for `url` (nil: none found; the server may not ask for one), and a warning
  /// to print when a password file was passed over.
  public static func lookup(_ url: PostgresURL, environment: [String: String], home: String) -> (password: String?, warning: String?) {
    if let password = environment["PGPASSWORD"] { return (password, nil) }
    let path = environment["PGPASSFILE"] ?? "\(home)/.pgpass"
    var info = stat()
    guard stat(path, &info) == 0 else { return (nil, nil) }
    guard info.st_mode & S_IFMT == S_IFREG else { return (nil, "password file \(path) is not a plain file; ignored") }
    guard info.st_mode & 0o077 == 0 else {
      return (nil, "password file \(path) has group or world access and is ignored; permissions should be u=rw (0600) or less")
    }
    guard let data = FileManager.default.contents(atPath: path) else { return (nil, "password file \(path) cannot be read; ignored") }
    let file = PGPassFile(String(decoding: data, as: UTF8.self))
    return (file.password(host: url.host, port: url.port, database: url.database, user: url.user), nil)
  }
}
