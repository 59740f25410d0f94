import Foundation

/// Where a shared history is: `--db postgresql://user@host:port/database?sslmode=require`, as
/// libpq writes connection URIs (`postgres://` too). A password in the URL is refused: it would
/// sit in the shell history and in `ps` for every user; it comes from `PGPASSWORD` or
/// `~/.pgpass` (`PostgresPassword`).
public struct PostgresURL: Hashable, Sendable, CustomStringConvertible {
  /// libpq's `sslmode` values that can be honoured here (`allow` cannot: it means trying
  /// without TLS first, which postgres-nio does not do).
  public enum SSLMode: String, Hashable, Sendable, CaseIterable {
    /// Never TLS.
    case disable
    /// TLS when the server offers it, certificate not checked (libpq's default).
    case prefer
    /// TLS or no connection; certificate not checked.
    case require
    /// TLS, the certificate signed by `sslrootcert`'s CA; any host name.
    case verifyCA = "verify-ca"
    /// TLS, signed by `sslrootcert`'s CA and naming the host connected to.
    case verifyFull = "verify-full"
  }

  public var host: String
  public var port: Int
  public var user: String
  public var database: String
  public var sslMode: SSLMode
  /// The CA certificates (PEM) `verify-ca`/`verify-full` check against; nil: libpq's default
  /// `~/.postgresql/root.crt`. `system`: the system's trust store.
  public var sslRootCert: String?

  /// The URL as messages show it: no password (there is none), no query but sslmode.
  public var description: String {
    let shownHost = host.contains(":") ? "[\(host)]" : host
    return "postgresql://\(user)@\(shownHost):\(port)/\(database)?sslmode=\(sslMode.rawValue)"
  }

  /// Whether `text` is meant as a PostgreSQL URL rather than an SQLite file path.
  public static func isURL(_ text: String) -> Bool {
    text.hasPrefix("postgresql://") || text.hasPrefix("postgres://")
  }

  /// Parses `text`. `environment` gives libpq's defaults for what the URL leaves out: `PGUSER`
  /// (else `USER`), `PGHOST` (else localhost), `PGPORT` (else 5432), `PGDATABASE` (else the
  /// user), `PGSSLMODE` (else prefer), `PGSSLROOTCERT`.
  /// - Throws: `PostgresURLError` saying what is wrong (a password, an unknown parameter or
  ///   sslmode, a bad port).
  public init(_ text: String, environment: [String: String]) throws(PostgresURLError) {
    guard PostgresURL.isURL(text), let components = URLComponents(string: text) else {
      throw PostgresURLError("\(text) is not a postgresql://user@host:port/database URL")
    }
    if components.password != nil {
      throw PostgresURLError(
        "the URL holds a password, which would show in `ps` and the shell history; remove it and set PGPASSWORD or a ~/.pgpass line instead"
      )
    }
    let user = components.user?.removingPercentEncoding ?? environment["PGUSER"] ?? environment["USER"] ?? NSUserName()
    self.user = user
    let givenHost = components.host.flatMap { $0.isEmpty ? nil : $0 }
    host = givenHost ?? environment["PGHOST"] ?? "localhost"
    if let port = components.port {
      guard (1...65535).contains(port) else { throw PostgresURLError("port \(port) is not between 1 and 65535") }
      self.port = port
    } else if let text = environment["PGPORT"] {
      guard let port = Int(text), (1...65535).contains(port) else { throw PostgresURLError("PGPORT=\(text) is not a port") }
      self.port = port
    } else {
      port = 5432
    }
    let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
    database = path.isEmpty ? environment["PGDATABASE"] ?? user : (path.removingPercentEncoding ?? path)
    var mode = environment["PGSSLMODE"] ?? "prefer"
    sslRootCert = environment["PGSSLROOTCERT"]
    for item in components.queryItems ?? [] {
      switch item.name {
      case "sslmode": mode = item.value ?? ""
      case "sslrootcert": sslRootCert = item.value
      case "password": throw PostgresURLError("the URL holds a password; set PGPASSWORD or a ~/.pgpass line instead")
      default:
        throw PostgresURLError("unknown URL parameter \(item.name); fleetports reads sslmode and sslrootcert")
      }
    }
    guard let sslMode = SSLMode(rawValue: mode) else {
      let known = SSLMode.allCases.map(\.rawValue).joined(separator: ", ")
      throw PostgresURLError("sslmode=\(mode) is not one of \(known)")
    }
    self.sslMode = sslMode
  }
}

/// A `--db postgresql://…` that cannot be used, and why.
public struct PostgresURLError: Error, Hashable, Sendable, CustomStringConvertible {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { "--db: \(message)" }
}
