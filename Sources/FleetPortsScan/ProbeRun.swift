import FleetPortsCore
import FleetPortsSSH
import Foundation

/// The remote side of one host's scan: the command line sshd runs, which reads the probe
/// script from stdin. Nothing from the inventory is ever part of it.
enum ProbeCommand {
  static func commandLine(sudo: Bool) -> String {
    // `sudo -n` fails instead of prompting; the probe then reports it as a host failure.
    sudo ? "sudo -n sh -s" : "sh -s"
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
