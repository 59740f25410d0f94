import FleetPortsCore
import Foundation
import LabSupport
import Testing

@testable import FleetPortsScan

/// The command line sshd hands to the login shell: the whole probe travels in it, so it must
/// survive any shell untouched and decode back to the script.
@Suite struct ProbeCommandTests {
  /// Runs `shell -c line` the way sshd runs a command, and returns (stdout, stderr, status).
  static func run(_ shell: [String], _ line: String, path: String? = nil) throws -> ([UInt8], [UInt8], Int32) {
    let ran = try ChildProcess.run(shell + ["-c", line], environment: path.map { ["PATH": $0] }, timeout: .seconds(120))
    return (ran.stdout, ran.stderr, ran.status)
  }

  static var shells: [[String]] {
    [["/bin/sh"], ["/bin/bash"], ["/bin/busybox", "sh"], ["/usr/bin/zsh"], ["/usr/bin/fish"], ["/bin/csh"]]
      .filter { FileManager.default.isExecutableFile(atPath: $0[0]) }
  }

  @Test func theRealProbeRunsFromItsCommandLineUnderEveryLoginShellHere() throws {
    let nonce = ProbeScript.makeNonce()
    let script = Array(ProbeScript.make(nonce: nonce, method: .proc).utf8)
    let line = ProbeCommand.commandLine(script: script, sudo: false)
    #expect(Self.shells.count >= 3, "dash, bash and busybox are installed by make setup")
    for shell in Self.shells {
      let (stdout, stderr, status) = try Self.run(shell, line)
      #expect(status == 0, "\(shell): \(String(decoding: stderr, as: UTF8.self))")
      guard case .success(let snapshot) = ProbeCommand.interpret(stdout: stdout, stderr: stderr, exitStatus: status, nonce: nonce, sudo: false) else {
        Issue.record("\(shell): the probe's output did not read back")
        continue
      }
      #expect(!snapshot.sockets.isEmpty, "\(shell): no sockets read")
    }
  }

  @Test func theProbeFitsDropbearsCommandLimitForEveryMethod() {
    for method in ProbeMethod.allCases {
      let script = Array(ProbeScript.make(nonce: ProbeScript.makeNonce(), method: method).utf8)
      let line = ProbeCommand.commandLine(script: script, sudo: true)
      #expect(line.utf8.count < ProbeCommand.dropbearCommandLimit, "\(method): \(line.utf8.count) bytes")
    }
  }

  @Test func theCommandLineHoldsNothingAShellWouldInterpret() {
    let script = Array("echo '$HOME' \"`id`\" ; exit 0 # ü\n".utf8)
    let line = ProbeCommand.commandLine(script: script, sudo: true)
    #expect(line.hasPrefix("echo "))
    #expect(line.hasSuffix(" | base64 -d | sudo -n sh -s"))
    let payload = line.dropFirst(5).prefix { $0 != " " }
    #expect(payload.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "+/=".contains($0)) })
    #expect(Data(base64Encoded: String(payload)).map([UInt8].init) == ProbeCommand.compacted(script))
  }

  @Test func aHostWithoutBase64IsToldApartFromAProbeThatFailed() throws {
    let nonce = ProbeScript.makeNonce()
    let line = ProbeCommand.commandLine(script: Array("echo hello\n".utf8), sudo: false)
    // A PATH with sh but no base64, as on the lab's hosts without it.
    let bin = FileManager.default.temporaryDirectory.appendingPathComponent("fp-nobase64-\(getpid())").path
    try? FileManager.default.removeItem(atPath: bin)
    try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: bin) }
    try FileManager.default.createSymbolicLink(atPath: bin + "/sh", withDestinationPath: "/bin/sh")
    let missing = try Self.run(["/bin/sh"], line, path: bin)
    #expect(missing.0.isEmpty)
    #expect(ProbeCommand.lacksBase64(stdout: missing.0, stderr: missing.1, nonce: nonce))

    let present = try Self.run(["/bin/sh"], line)
    #expect(String(decoding: present.0, as: UTF8.self) == "hello\n")
    #expect(!ProbeCommand.lacksBase64(stdout: present.0, stderr: present.1, nonce: nonce))
    // A probe that ran and failed with base64 in its error is not a missing base64.
    #expect(!ProbeCommand.lacksBase64(stdout: [], stderr: Array("base64: write error: Broken pipe\n".utf8), nonce: nonce))
  }
}
