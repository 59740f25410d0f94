import FleetPortsCore
import FleetPortsSSH
import Foundation

/// The remote side of one host's scan: the command line sshd runs. Nothing from the
/// inventory is ever part of it.
enum ProbeCommand {
  /// The script travels inside the command line, base64 (letters, digits, `+`, `/`, `=`:
  /// nothing a login shell interprets) and without its comments and indentation, to stay
  /// under Dropbear's 9,000-byte limit on a command. Sending it on stdin instead costs a round
  /// trip per host: sshd opens a session channel with a zero window and widens it only once
  /// the command runs, so stdin cannot go out with the exec request.
  static func commandLine(script: [UInt8], sudo: Bool) -> String {
    "echo \(Data(compacted(script)).base64EncodedString()) | base64 -d | \(shell(sudo: sudo))"
  }

  /// The longest command line Dropbear accepts (MAX_CMD_LEN); OpenSSH has no such limit.
  static let dropbearCommandLimit = 9000

  /// `script` without comment lines, blank lines and leading indentation (the probe has no
  /// here-documents or multi-line quotes, where either would matter).
  static func compacted(_ script: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(script.count)
    for line in script.split(separator: 10, omittingEmptySubsequences: true) {
      let text = line.drop { $0 == 32 || $0 == 9 }
      if text.isEmpty || text.first == UInt8(ascii: "#") { continue }
      out.append(contentsOf: text)
      out.append(10)
    }
    return out
  }

  /// The fallback for a host without `base64`: the same script on stdin.
  static func stdinCommandLine(sudo: Bool) -> String { shell(sudo: sudo) }

  // `sudo -n` fails instead of prompting; the probe then reports it as a host failure.
  static func shell(sudo: Bool) -> String { sudo ? "sudo -n sh -s" : "sh -s" }

  /// True when the host could not decode the command line (no `base64` there): no section
  /// came back and the shell said base64 is not a command. The exit status cannot tell: the
  /// pipeline's is `sh -s`'s, which read an empty script.
  static func lacksBase64(stdout: [UInt8], stderr: [UInt8], nonce: String) -> Bool {
    let said = String(decoding: stderr.prefix(4000), as: UTF8.self)
    guard said.contains("base64"), ["not found", "No such file", "nknown command"].contains(where: said.contains) else { return false }
    return ProbeOutput.parse(stdout, nonce: nonce).sections.isEmpty
  }

  /// Turns what the host printed into a snapshot, or a failure when it is not probe output.
  static func interpret(
    stdout: [UInt8], stderr: [UInt8], exitStatus: Int32?, nonce: String, sudo: Bool, outputCut: Bool = false, signal: String? = nil
  ) -> Result<HostSnapshot, HostResult.Failure> {
    let output = ProbeOutput.parse(stdout, nonce: nonce)
    if output.sections.isEmpty {
      let message = TerminalText.sanitize(String(decoding: stderr.prefix(300), as: UTF8.self)).trimmingCharacters(in: .whitespacesAndNewlines)
      if sudo && message.contains("sudo") {
        return .failure(HostResult.Failure(code: .sudoRefused, message: "sudo -n refused (\(message)); give the user passwordless sudo for sh, or scan without --sudo"))
      }
      return .failure(HostResult.Failure(
        code: .probeFailed,
        message: "the probe printed nothing fleetports can read (exit \(exitStatus.map(String.init) ?? "?")): \(message.isEmpty ? "no error output" : message)"))
    }
    var snapshot = SnapshotAssembler.assemble(output)
    if outputCut { snapshot.provenance.degraded.append("the probe's output passed the \(SSHClient.defaultOutputCap >> 20) MiB cap and was cut") }
    if let signal { snapshot.provenance.degraded.append("the probe was killed by SIG\(signal)") }
    return .success(snapshot)
  }
}
