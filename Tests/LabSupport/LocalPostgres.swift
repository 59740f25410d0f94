import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// A real PostgreSQL 15 (Debian's postgresql-15) of the test's own on 127.0.0.1 at a free port:
/// its own data folder under the temporary folder (`initdb`, SCRAM passwords, the Unix socket in
/// that folder too), optionally TLS with a self-signed certificate made by `openssl`. As root
/// the server runs as Debian's `postgres` user through `runuser` (postgres refuses to run as
/// root); otherwise as this user. `stop()` (also on deinit) stops it with `pg_ctl -m fast`
/// and removes the folder, so a failing test still leaves nothing running.
public final class LocalPostgres: @unchecked Sendable {
  /// Debian's binaries for PostgreSQL 15.
  public static let binaries = "/usr/lib/postgresql/15/bin"
  /// The superuser `initdb` creates, and its password (a test value, never a real secret).
  public static let user = "fleetports"
  public static let password = "fp-test-password"

  public let directory: String
  /// Set once the server listens (before `init` returns).
  public private(set) var port = 0
  /// Whether the server offers TLS (self-signed: `sslmode=require` works, `verify-full` with
  /// `certificatePath` as `sslrootcert`).
  public let tls: Bool
  public var certificatePath: String { directory + "/server.crt" }
  var dataPath: String { directory + "/data" }
  var logPath: String { directory + "/server.log" }
  private let lock = NSLock()
  private var stopped = false

  /// True when this machine has the binaries (and, as root, the `postgres` user to run them as).
  public static var canRun: Bool {
    FileManager.default.isExecutableFile(atPath: binaries + "/pg_ctl") && (geteuid() != 0 || getpwnam("postgres") != nil)
  }

  /// Whether a test may skip for want of PostgreSQL: not when `FLEETPORTS_REQUIRE_TOOLS=1`.
  public static var isRequired: Bool { ProcessInfo.processInfo.environment["FLEETPORTS_REQUIRE_TOOLS"] == "1" }

  /// `postgresql://fleetports@127.0.0.1:PORT/DATABASE?sslmode=…`.
  public func url(database: String = "fleetports", sslMode: String = "disable", extra: String = "") -> String {
    "postgresql://\(LocalPostgres.user)@127.0.0.1:\(port)/\(database)?sslmode=\(sslMode)\(extra)"
  }

  /// The environment a `fleetports` child needs to log in: PGPASSWORD.
  public var environment: [String: String] { ["PGPASSWORD": LocalPostgres.password] }

  /// Creates the data folder and starts the server; `databases` are created empty.
  /// - Throws: `ChildProcessError` with the server's log when a step fails.
  public init(tls: Bool = false, databases: [String] = ["fleetports"]) throws {
    guard LocalPostgres.canRun else {
      throw ChildProcessError("PostgreSQL 15 is not installed (\(LocalPostgres.binaries)); run `make setup`")
    }
    directory = NSTemporaryDirectory() + "fp-pg-\(UUID().uuidString.prefix(8))"
    self.tls = tls
    try LoopbackSSHD.check(FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true))
    chmod(directory, 0o700)
    try LoopbackSSHD.write(LocalPostgres.password + "\n", to: directory + "/pwfile", mode: 0o600)
    if tls {
      let made = try ChildProcess.run(
        [
          "/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
          "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
          "-keyout", directory + "/server.key", "-out", certificatePath,
        ], timeout: .seconds(60))
      guard made.status == 0 else { throw ChildProcessError("openssl: \(made.stderrText)") }
      chmod(directory + "/server.key", 0o600)
      chmod(certificatePath, 0o644)
    }
    if geteuid() == 0, let account = getpwnam("postgres") {
      // The server's own user must own its folder (and the key: postgres checks it).
      for path in [directory, directory + "/pwfile"] + (tls ? [directory + "/server.key", certificatePath] : []) {
        chown(path, account.pointee.pw_uid, account.pointee.pw_gid)
      }
    }
    try runTool([
      "initdb", "-D", dataPath, "-U", LocalPostgres.user, "--auth=scram-sha-256", "--pwfile=\(directory)/pwfile", "-E", "UTF8", "--no-sync",
    ])
    var settings = ["listen_addresses = '127.0.0.1'", "unix_socket_directories = '\(directory)'", "fsync = off", "max_connections = 40"]
    if tls { settings += ["ssl = on", "ssl_cert_file = '\(certificatePath)'", "ssl_key_file = '\(directory)/server.key'"] }
    var lastError = "no attempt"
    var started: Int?
    for _ in 0..<5 {
      let port = LoopbackSSHD.freePort()
      let conf = (settings + ["port = \(port)"]).joined(separator: "\n") + "\n"
      let handle = FileHandle(forWritingAtPath: dataPath + "/postgresql.conf")
      handle?.seekToEndOfFile()
      handle?.write(Data(conf.utf8))
      try? handle?.close()
      do {
        try runTool(["pg_ctl", "-D", dataPath, "-l", logPath, "-w", "-t", "60", "start"])
        started = port
        break
      } catch {
        lastError = "\(error)"
      }
    }
    // A throw from here on still runs deinit (every property is set): the server is stopped and the folder removed.
    guard let started else { throw ChildProcessError("postgres did not start: \(lastError)\n\(log)") }
    port = started
    for database in databases where database != "postgres" {
      try runTool(["createdb", "-h", "127.0.0.1", "-p", String(port), "-U", LocalPostgres.user, database], password: true)
    }
  }

  deinit { stop() }

  /// Stops the server (fast shutdown: sessions are ended) and removes its folder; idempotent.
  public func stop() {
    lock.lock()
    defer { lock.unlock() }
    guard !stopped else { return }
    stopped = true
    _ = try? runTool(["pg_ctl", "-D", dataPath, "-m", "fast", "-w", "-t", "30", "stop"])
    try? FileManager.default.removeItem(atPath: directory)
  }

  /// Runs SQL through `psql` (as the superuser) and returns its output, unaligned and tuples only.
  public func psql(_ sql: String, database: String = "fleetports") throws -> String {
    try runTool(
      [
        "psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String(port), "-U", LocalPostgres.user, "-d", database, "-c",
        sql,
      ], password: true)
  }

  /// The server's log so far, for a failed expectation's message.
  public var log: String { (try? LoopbackSSHD.read(logPath)) ?? "" }

  /// One of the server's programs, as the `postgres` user when this process is root.
  @discardableResult
  func runTool(_ arguments: [String], password: Bool = false) throws -> String {
    // env -C: the tools start in the server's folder (the postgres user may not enter the caller's).
    var command = ["/usr/bin/env", "-C", directory, LocalPostgres.binaries + "/" + arguments[0]] + arguments.dropFirst()
    if geteuid() == 0 { command = ["/usr/sbin/runuser", "-u", "postgres", "--"] + command }
    // The password through the environment (runuser keeps it), never on a command line.
    var environment = ProcessInfo.processInfo.environment
    if password { environment["PGPASSWORD"] = LocalPostgres.password }
    let ran = try ChildProcess.run(command, environment: environment, timeout: .seconds(120))
    guard ran.status == 0 else { throw ChildProcessError("\(arguments[0]) exited \(ran.status): \(ran.stderrText)") }
    return String(decoding: ran.stdout, as: UTF8.self)
  }
}

extension Trait where Self == ConditionTrait {
  /// Runs the test only where it can start its own PostgreSQL 15 (Debian's postgresql-15) and
  /// reports it as skipped otherwise; with `FLEETPORTS_REQUIRE_TOOLS=1` (`make test`) it always
  /// runs, so a machine without PostgreSQL fails instead of skipping.
  public static var localPostgres: Self {
    .enabled(
      if: LocalPostgres.isRequired || LocalPostgres.canRun, "needs PostgreSQL 15 (Debian's postgresql-15): its own server on 127.0.0.1")
  }
}
