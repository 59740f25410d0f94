import FleetPortsCore
import FleetPortsSSH
import Foundation

/// The remote side of one host's scan: the command line sshd runs. Nothing from the
/// inventory is ever part of it.
enum ProbeCommand {
  /// The script travels inside the command line, base64 so that any login shell (sh, bash,
  /// zsh, fish, csh) passes it through untouched. Sending it on stdin instead costs a round
  /// trip per host: sshd opens a session channel with a zero window and widens it only once
  /// the command runs, so stdin cannot go out with the exec request.
  static func commandLine(script: [UInt8], sudo: Bool) -> String {
    "echo \(Data(script).base64EncodedString()) | base64 -d | \(shell(sudo: sudo))"
  }

  /// The fallback for a host without `base64`: the same script on stdin.
  static func stdinCommandLine(sudo: Bool) -> String { shell(sudo: sudo) }

  // `sudo -n` fails instead of prompting; the probe then reports it as a host failure.
  static func shell(sudo: Bool) -> String { sudo ? "sudo -n sh -s" : "sh -s" }

  /// True when the host could not decode the command line (no `base64` there): nothing ran.
  /// The exit status cannot tell: the pipeline's is `sh -s`'s, which read an empty script.
  static func lacksBase64(stdout: [UInt8], stderr: [UInt8]) -> Bool {
    stdout.isEmpty && String(decoding: stderr.prefix(2000), as: UTF8.self).contains("base64")
  }

  /// Turns what the host printed into a snapshot, or a failure when it is not probe output.
  static func interpret(
    stdout: [UInt8], stderr: [UInt8], exitStatus: Int32?, nonce: String, sudo: Bool, outputCut: Bool = false, signal: String? = nil
  ) -> Result<HostSnapshot, HostResult.Failure> {
    let output = ProbeOutput.parse(stdout, nonce: nonce)
    if output.sections.isEmpty {
      let message = TerminalText.sanitize(String(decoding: stderr.prefix(300), as: UTF8.self)).trimmingCharacters(in: .whitespacesAndNewlines)
      if sudo && message.contains("sudo") {
        return .failure(HostResult.Failure(code: "sudo-refused", message: "sudo -n refused (\(message)); give the user passwordless sudo for sh, or scan without --sudo"))
      }
      return .failure(HostResult.Failure(
        code: "probe-failed",
        message: "the probe printed nothing fleetports can read (exit \(exitStatus.map(String.init) ?? "?")): \(message.isEmpty ? "no error output" : message)"))
    }
    var snapshot = SnapshotAssembler.assemble(output)
    if outputCut { snapshot.provenance.degraded.append("the probe's output passed the \(SSHClient.defaultOutputCap >> 20) MiB cap and was cut") }
    if let signal { snapshot.provenance.degraded.append("the probe was killed by SIG\(signal)") }
    return .success(snapshot)
  }
}
