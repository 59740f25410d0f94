import FleetPortsCore
import FleetPortsSSH
import Foundation

/// The remote side of one host's scan: the command line sshd runs, and the script it reads
/// on its stdin. Nothing from the inventory is ever part of either.
enum ProbeCommand {
  /// The command line: `exec /bin/sh -s`, which reads the script from the channel's stdin (the
  /// scanner writes it, then EOF). The nonce is never in a command line, where other users of
  /// the host could read it in /proc/<pid>/cmdline while the probe runs: only the shell reads
  /// it, from a pipe. It costs one round trip per host over a command-line script: sshd opens the
  /// session's window only once the command runs, so stdin cannot go out with the exec request.
  ///
  /// The line is read by the user's login shell, whatever it is (bash, dash, busybox ash, zsh,
  /// fish, tcsh, BSD csh), so it holds only what all of them read alike: `exec`, and
  /// `/bin/sh` named by path (a PATH the login files broke cannot hide it), which then sets the
  /// standard PATH itself. `exec` leaves no login shell waiting behind the probe. `sudo -n`
  /// fails instead of prompting (the row then says why); it is looked up in the standard PATH.
  static func commandLine(sudo: Bool) -> String {
    sudo ? "exec /bin/sh -c 'PATH=\(standardPath); export PATH; exec sudo -n /bin/sh -s'" : "exec /bin/sh -s"
  }

  /// The script one host reads: `ProbeScript.make`, compacted.
  static func script(nonce: String, method: ProbeMethod, sectionCap: Int) -> [UInt8] {
    compacted(Array(ProbeScript.make(nonce: nonce, method: method, sectionCap: sectionCap).utf8))
  }

  /// The directories a command is looked up in whatever PATH the login files left.
  static let standardPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

  /// `script` without comment lines, blank lines and leading indentation (the probe has no
  /// here-documents, and its multi-line quotes hold nothing leading blanks matter to): a third
  /// less to send.
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

  /// Turns what the host printed into a snapshot, or a failure that quotes the host when it
  /// is not probe output (see `ProbeSilence`). `user` is the login user, named in the fixes.
  static func interpret(
    stdout: [UInt8], stderr: [UInt8], exitStatus: Int32?, nonce: String, sudo: Bool, user: String, outputCut: Bool = false,
    signal: String? = nil
  ) -> Result<HostSnapshot, HostResult.Failure> {
    let output = ProbeOutput.parse(stdout, nonce: nonce)
    if output.sections.isEmpty {
      let evidence = ProbeSilence.Evidence(
        stdout: stdout, stderr: stderr, exitStatus: exitStatus, signal: signal, outputCut: outputCut, probeStarted: output.started)
      return .failure(ProbeSilence.failure(evidence, user: user, sudo: sudo))
    }
    var snapshot = SnapshotAssembler.assemble(output)
    if outputCut {
      snapshot.provenance.degraded.append("the probe's output passed the \(SSHClient.defaultOutputCap >> 20) MiB cap and was cut")
    }
    if let signal { snapshot.provenance.degraded.append("the probe was killed by SIG\(signal)") }
    return .success(snapshot)
  }
}
