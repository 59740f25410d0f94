import Foundation
import Testing

@testable import FleetPortsPostgres

/// `--db postgresql://…` as libpq reads connection URIs, and the password file's rules.
@Suite struct PostgresURLTests {
  @Test func aFullURLGivesEveryPart() throws {
    let url = try PostgresURL("postgresql://audit@db.example:6432/history?sslmode=verify-full&sslrootcert=/etc/ca.pem", environment: [:])
    #expect(url.user == "audit")
    #expect(url.host == "db.example")
    #expect(url.port == 6432)
    #expect(url.database == "history")
    #expect(url.sslMode == .verifyFull)
    #expect(url.sslRootCert == "/etc/ca.pem")
    #expect(url.description == "postgresql://audit@db.example:6432/history?sslmode=verify-full")
  }

  @Test func missingPartsComeFromLibpqsEnvironmentThenDefaults() throws {
    let url = try PostgresURL("postgres://", environment: ["USER": "ops", "PGHOST": "pg1", "PGPORT": "5433", "PGSSLMODE": "require"])
    #expect((url.user, url.host, url.port, url.database, url.sslMode) == ("ops", "pg1", 5433, "ops", .require))
    let bare = try PostgresURL("postgresql://ops@h/", environment: [:])
    #expect((bare.port, bare.database, bare.sslMode) == (5432, "ops", .prefer))
  }

  @Test func aPasswordInTheURLIsRefusedAndNotEchoed() {
    for text in ["postgresql://ops:s3cret@h/db", "postgresql://ops@h/db?password=s3cret"] {
      #expect(throws: PostgresURLError.self) { try PostgresURL(text, environment: [:]) }
      do {
        _ = try PostgresURL(text, environment: [:])
      } catch {
        #expect(error.description.contains("PGPASSWORD"))
        #expect(!error.description.contains("s3cret"))
      }
    }
  }

  @Test func everySSLModeLibpqNamesButAllowIsTaken() throws {
    for mode in ["disable", "prefer", "require", "verify-ca", "verify-full"] {
      #expect(try PostgresURL("postgresql://u@h/d?sslmode=\(mode)", environment: [:]).sslMode.rawValue == mode)
    }
    #expect(throws: PostgresURLError.self) { try PostgresURL("postgresql://u@h/d?sslmode=allow", environment: [:]) }
    #expect(throws: PostgresURLError.self) { try PostgresURL("postgresql://u@h/d?connect_timeout=3", environment: [:]) }
    #expect(throws: PostgresURLError.self) { try PostgresURL("postgresql://u@h:70000/d", environment: [:]) }
  }

  @Test func aPasswordFileMatchesFieldsWildcardsAndEscapesFirstLineWins() {
    let file = PGPassFile(
      """
      # comment
      db.example:5432:history:audit:first\\:pass
      *:*:*:audit:second
      db.example:*:*:*:third\\\\slash
      short:line
      """)
    #expect(file.password(host: "db.example", port: 5432, database: "history", user: "audit") == "first:pass")
    #expect(file.password(host: "other", port: 1, database: "x", user: "audit") == "second")
    #expect(file.password(host: "db.example", port: 6432, database: "x", user: "ops") == "third\\slash")
    #expect(file.password(host: "other", port: 1, database: "x", user: "ops") == nil)
  }

  @Test func aPasswordFileOthersCanReadIsIgnoredWithAWarningAsLibpqDoes() throws {
    let dir = NSTemporaryDirectory() + "fp-pgpass-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/pgpass"
    #expect(FileManager.default.createFile(atPath: path, contents: Data("*:*:*:*:from-file\n".utf8)))
    let url = try PostgresURL("postgresql://u@h/d", environment: [:])
    chmod(path, 0o600)
    #expect(PostgresPassword.lookup(url, environment: ["PGPASSFILE": path], home: dir) == ("from-file", nil))
    #expect(PostgresPassword.lookup(url, environment: ["PGPASSFILE": path, "PGPASSWORD": "env"], home: dir).password == "env")
    chmod(path, 0o644)
    let open = PostgresPassword.lookup(url, environment: ["PGPASSFILE": path], home: dir)
    #expect(open.password == nil)
    #expect(open.warning?.contains("0600") == true)
  }
}
