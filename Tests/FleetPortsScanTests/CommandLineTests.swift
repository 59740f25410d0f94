import FleetPortsCore
import Foundation
import Testing

/// The built `fleetports` command: exit codes and output as the README documents them.
@Suite struct CommandLineTests {
  static var fixtures: String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("FleetPortsCoreTests/Fixtures").path
  }

  @Test func parseReadsACaptureAndReportsOnStderr() throws {
    let result = try FleetPortsCLI.run(["parse", Self.fixtures + "/ss/debian12-root-tuanp.out"])
    #expect(result.status == 0)
    #expect(result.stdout.contains("fp-listen"))
    #expect(result.stderr.contains("format: ss"))
    #expect(result.stderr.contains("not understood 0"))
  }

  @Test func parseJSONDecodesAsTheModel() throws {
    let result = try FleetPortsCLI.run(["parse", "--json", "--as", "proc-net-tcp6", Self.fixtures + "/proc/debian12-root-net-tcp6.out"])
    #expect(result.status == 0)
    let parsed = try JSONDecoder().decode(SocketParse.self, from: Data(result.stdout.utf8))
    #expect(parsed.format == .procNetTCP6)
    #expect(!parsed.sockets.isEmpty)
  }

  @Test func parseFromStandardInput() throws {
    let text = "Netid State Recv-Q Send-Q Local Address:Port Peer Address:Port Process\ntcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:* users:((\"sshd\",pid=1,fd=3))\n"
    let result = try FleetPortsCLI.run(["parse"], stdin: text)
    #expect(result.status == 0)
    #expect(result.stdout.contains("\"sshd\" pid=1 fd=3"))
  }

  @Test func unrecognisedInputExitsOneAndUsageErrorsExitTwo() throws {
    let garbage = try FleetPortsCLI.run(["parse"], stdin: "hello\nworld\n")
    #expect(garbage.status == 1)
    #expect(garbage.stderr.contains("--as"))
    #expect(try FleetPortsCLI.run(["parse", "--as", "nonsense"]).status == 2)
    #expect(try FleetPortsCLI.run(["parse", "/no/such/file"]).status == 2)
    #expect(try FleetPortsCLI.run(["scan"]).status == 2)
    #expect(try FleetPortsCLI.run(["scan", "/no/such/inventory"]).status == 2)
  }

  /// `--per-server` is validated before any file is read, and `--help` says what it is for.
  @Test func perServerIsBoundedAndExplained() throws {
    for value in ["0", "4097"] {
      let refused = try FleetPortsCLI.run(["scan", "/no/such/inventory", "--per-server", value])
      #expect(refused.status == 2 && refused.stderr.contains("--per-server must be between 1 and 4096"), "\(refused.stderr)")
    }
    let help = try FleetPortsCLI.run(["scan", "--help"])
    #expect(help.stdout.contains("--per-server") && help.stdout.contains("MaxStartups"), "\(help.stdout)")
  }

  @Test func aMalformedInventoryLineNamesItsLine() throws {
    let path = NSTemporaryDirectory() + "fleetports-inventory-\(UUID().uuidString).txt"
    defer { try? FileManager.default.removeItem(atPath: path) }
    try "web1\nweb2 prot=22\n".write(toFile: path, atomically: true, encoding: .utf8)
    let result = try FleetPortsCLI.run(["scan", path])
    #expect(result.status == 2)
    #expect(result.stderr.contains("\(path):2"))
  }
}
