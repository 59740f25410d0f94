import FleetPortsCore
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The ssh_config files a scan reads, as ssh reads them: `--ssh-config FILE` alone (like
/// `ssh -F`), `--ssh-config none` for none, or by default `~/.ssh/config` then
/// `/etc/ssh/ssh_config`, each only when it exists. `Include` globs are expanded here, relative
/// paths taken from `~/.ssh` for the user's file (and `-F`'s) and from `/etc/ssh` for the system's.
enum SSHConfigFiles {
  /// The system-wide file ssh reads after the user's.
  static let systemFile = "/etc/ssh/ssh_config"

  /// The configuration for `option` (`--ssh-config`'s value, nil when not given).
  /// - Throws: `ScanInputError` for a named file that cannot be read, or every malformed line as `file:line: …`.
  static func load(_ option: String?, home: String, systemFile: String = systemFile) throws(ScanInputError) -> SSHConfig {
    if option?.lowercased() == "none" { return SSHConfig() }
    if let option {
      guard let data = FileContents.read(option) else { throw ScanInputError("cannot read ssh_config \(option)") }
      return try parse(data, file: option, relativeTo: "\(home)/.ssh", home: home)
    }
    var config = SSHConfig()
    for (file, folder) in [("\(home)/.ssh/config", "\(home)/.ssh"), (systemFile, "/etc/ssh")] {
      guard FileManager.default.fileExists(atPath: file) else { continue }
      guard let data = FileContents.read(file) else { throw ScanInputError("cannot read ssh_config \(file)") }
      config = config.appending(try parse(data, file: file, relativeTo: folder, home: home))
    }
    return config
  }

  static func parse(_ data: Data, file: String, relativeTo folder: String, home: String) throws(ScanInputError) -> SSHConfig {
    do {
      return try SSHConfig.parse(String(decoding: data, as: UTF8.self), file: file) { written in
        var pattern = written == "~" || written.hasPrefix("~/") ? home + written.dropFirst() : written
        if !pattern.hasPrefix("/") { pattern = "\(folder)/\(pattern)" }
        return expand(pattern).compactMap { path in
          FileContents.read(path).map { SSHConfig.IncludedFile(file: path, text: String(decoding: $0, as: UTF8.self)) }
        }
      }
    } catch {
      throw ScanInputError("\(error)")
    }
  }

  /// The files a glob names, sorted (glob(3)); none when nothing matches, as ssh allows.
  static func expand(_ pattern: String) -> [String] {
    var found = glob_t()
    defer { globfree(&found) }
    guard glob(pattern, 0, nil, &found) == 0 else { return [] }
    return (0..<Int(found.gl_pathc)).compactMap { index in
      found.gl_pathv[index].map { String(cString: $0) }
    }.filter { path in
      var isFolder: ObjCBool = false
      return FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && !isFolder.boolValue
    }
  }
}
