import FleetPortsCore
import Foundation
import LabSupport
import Testing

@testable import FleetPortsScan

#if canImport(Glibc)
  import Glibc
#endif

/// The command line sshd hands to the login shell and the script it reads on stdin: the line
/// must run the same under any login shell, and nothing in it may be the scan's secret.
@Suite struct ProbeCommandTests {
  /// Runs `shell -c line` the way sshd runs a command, the script on its stdin, and returns
  /// (stdout, stderr, status).
  static func run(_ shell: [String], _ line: String, stdin: [UInt8] = [], path: String? = nil) throws -> ([UInt8], [UInt8], Int32) {
    let ran = try ChildProcess.run(shell + ["-c", line], stdin: stdin, environment: path.map { ["PATH": $0] }, timeout: .seconds(120))
    return (ran.stdout, ran.stderr, ran.status)
  }

  static var shells: [[String]] {
    [["/bin/sh"], ["/bin/bash"], ["/bin/busybox", "sh"], ["/usr/bin/zsh"], ["/usr/bin/fish"], ["/usr/bin/tcsh"], ["/usr/bin/bsd-csh"]]
      .filter { FileManager.default.isExecutableFile(atPath: $0[0]) }
  }

  @Test(arguments: [ProbeMethod.proc, .ss])
  func theRealProbeRunsFromItsStdinUnderEveryLoginShellHere(method: ProbeMethod) throws {
    let nonce = ProbeScript.makeNonce()
    let script = ProbeCommand.script(nonce: nonce, method: method, sectionCap: ProbeScript.defaultSectionCap)
    let line = ProbeCommand.commandLine(sudo: false)
    #expect(Self.shells.count >= 3, "dash, bash and busybox are installed by make setup")
    for shell in Self.shells {
      let (stdout, stderr, status) = try Self.run(shell, line, stdin: script)
      #expect(status == 0, "\(shell): \(String(decoding: stderr, as: UTF8.self))")
      guard
        case .success(let snapshot) = ProbeCommand.interpret(
          stdout: stdout, stderr: stderr, exitStatus: status, nonce: nonce, sudo: false, user: "fp")
      else {
        Issue.record("\(shell): the probe's output did not read back")
        continue
      }
      #expect(!snapshot.sockets.isEmpty, "\(shell): no sockets read")
    }
  }

  /// Login noise before the command runs (a greeting without a final newline, a colour reset,
  /// a banner cut mid-line), under every shell here, with a PATH the login files broke.
  @Test(arguments: ["Welcome", "\u{1B}[0m", String(repeating: "banner ", count: 20_000)])
  func theProbeIsFramedWhateverTheLoginPrintedFirst(noise: String) throws {
    let nonce = ProbeScript.makeNonce()
    let script = ProbeCommand.script(nonce: nonce, method: .proc, sectionCap: ProbeScript.defaultSectionCap)
    let line = ProbeCommand.commandLine(sudo: false)
    let noiseFile = FileManager.default.temporaryDirectory.appendingPathComponent("fp-noise-\(getpid())-\(noise.count)").path
    try noise.write(toFile: noiseFile, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: noiseFile) }
    for shell in Self.shells {
      // /bin/cat by path: the noise is printed with the PATH already broken.
      let (stdout, stderr, status) = try Self.run(shell, "/bin/cat \(noiseFile); " + line, stdin: script, path: "/nonexistent")
      #expect(status == 0, "\(shell): \(String(decoding: stderr, as: UTF8.self))")
      #expect(stdout.starts(with: Array(noise.utf8)))
      guard
        case .success(let snapshot) = ProbeCommand.interpret(
          stdout: stdout, stderr: stderr, exitStatus: status, nonce: nonce, sudo: false, user: "fp")
      else {
        Issue.record("\(shell): the probe's output did not read back after \(noise.prefix(20))")
        continue
      }
      #expect(!snapshot.sockets.isEmpty, "\(shell): no sockets read")
      // The noise is one line outside any section; the newline the probe adds makes no other.
      #expect(
        snapshot.provenance.problems.allSatisfy { !$0.contains("outside") || $0.hasPrefix("1 line outside") },
        "\(shell): \(snapshot.provenance.problems)")
    }
  }

  /// The line is the same for every host and scan: no nonce, nothing from the inventory, nothing
  /// csh, fish or zsh would expand; the script it reads is the probe, compacted.
  @Test func theCommandLineCarriesNoSecretAndNothingAShellWouldInterpret() throws {
    #expect(ProbeCommand.commandLine(sudo: false) == "exec /bin/sh -s")
    let sudo = ProbeCommand.commandLine(sudo: true)
    #expect(sudo == "exec /bin/sh -c 'PATH=\(ProbeCommand.standardPath); export PATH; exec sudo -n /bin/sh -s'")
    // `$` only inside single quotes, where every login shell here leaves it alone.
    #expect(!sudo.contains("!") && !sudo.contains("`") && !sudo.replacingOccurrences(of: "'PATH=", with: "").contains("$"))
    let nonce = ProbeScript.makeNonce()
    let script = ProbeCommand.script(nonce: nonce, method: .ss, sectionCap: 4096)
    #expect(script == ProbeCommand.compacted(Array(ProbeScript.make(nonce: nonce, method: .ss, sectionCap: 4096).utf8)))
    #expect(String(decoding: script, as: UTF8.self).contains(nonce))
  }
}
