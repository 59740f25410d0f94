import FleetPortsCore
import Foundation
import Testing

/// The built `fleetports` command: exit codes and output as the README documents them.
@Suite struct CommandLineTests {
  static func run(_ arguments: [String], stdin: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: MixedFleetTests.binaryPath)
    process.arguments = arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    if let stdin {
      let input = Pipe()
      process.standardInput = input
      try process.run()
      input.fileHandleForWriting.write(Data(stdin.utf8))
      try input.fileHandleForWriting.close()
    } else {
      process.standardInput = FileHandle.nullDevice
      try process.run()
    }
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
  }

  static var fixtures: String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("FleetPortsCoreTests/Fixtures").path
  }

  @Test func parseReadsACaptureAndReportsOnStderr() throws {
    let result = try Self.run(["parse", Self.fixtures + "/ss/debian12-root-tuanp.out"])
    #expect(result.status == 0)
    #expect(result.stdout.contains("fp-listen"))
    #expect(result.stderr.contains("format: ss"))
    #expect(result.stderr.contains("not understood 0"))
  }

  @Test func parseJSONDecodesAsTheModel() throws {
    let result = try Self.run(["parse", "--json", "--as", "proc-net-tcp6", Self.fixtures + "/proc/debian12-root-net-tcp6.out"])
    #expect(result.status == 0)
    let parsed = try JSONDecoder().decode(SocketParse.self, from: Data(result.stdout.utf8))
    #expect(parsed.format == .procNetTCP6)
    #expect(!parsed.sockets.isEmpty)
  }

  @Test func parseFromStandardInput() throws {
    let text = "Netid State Recv-Q Send-Q Local Address:Port Peer Address:Port Process\ntcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:* users:((\"sshd\",pid=1,fd=3))\n"
    let result = try Self.run(["parse"], stdin: text)
    #expect(result.status == 0)
    #expect(result.stdout.contains("\"sshd\" pid=1 fd=3"))
  }

  @Test func unrecognisedInputExitsOneAndUsageErrorsExitTwo() throws {
    let garbage = try Self.run(["parse"], stdin: "hello\nworld\n")
    #expect(garbage.status == 1)
    #expect(garbage.stderr.contains("--as"))
    #expect(try Self.run(["parse", "--as", "nonsense"]).status == 2)
    #expect(try Self.run(["parse", "/no/such/file"]).status == 2)
    #expect(try Self.run(["scan"]).status == 2)
    #expect(try Self.run(["scan", "/no/such/inventory"]).status == 2)
  }

  @Test func aMalformedInventoryLineNamesItsLine() throws {
    let path = NSTemporaryDirectory() + "fleetports-inventory-\(UUID().uuidString).txt"
    defer { try? FileManager.default.removeItem(atPath: path) }
    try "web1\nweb2 prot=22\n".write(toFile: path, atomically: true, encoding: .utf8)
    let result = try Self.run(["scan", path])
    #expect(result.status == 2)
    #expect(result.stderr.contains("\(path):2"))
  }
}
