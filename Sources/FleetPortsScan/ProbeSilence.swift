import FleetPortsCore
import FleetPortsSSH
import Foundation

/// Why a host that answered gave back no probe section, in the host's own words.
///
/// A login shell that refuses commands, a ForceCommand, sudo's `requiretty` and login noise
/// all end the same way for the framing (no section), but each has its own fix, and the host
/// nearly always said which one it was, often on stdout rather than stderr. So the row quotes
/// both streams (first lines, sanitised) and names the common cases.
enum ProbeSilence {
  /// What the host printed and how the command ended, when no section came back.
  struct Evidence {
    var stdout: [UInt8]
    var stderr: [UInt8]
    var exitStatus: Int32?
    var signal: String?
    /// Standard output passed `SSHClient.defaultOutputCap` and was cut.
    var outputCut = false
    /// The probe's first marker (with this host's nonce) is in stdout: the probe started.
    var probeStarted = false
  }

  /// nologin's words (util-linux and shadow both print them).
  static let nologinMessage = "This account is currently not available"
  /// How many lines of each stream a row quotes, and how many characters of each line.
  static let quotedLines = 3
  static let quotedWidth = 160

  /// The failure for `evidence`.
  /// - Parameters:
  ///   - evidence: what the host printed.
  ///   - user: the login user, named in the fixes (usermod, sudoers).
  ///   - sudo: the probe ran under `sudo -n`.
  /// - Returns: the most specific failure the evidence supports, always quoting the host.
  static func failure(_ evidence: Evidence, user: String, sudo: Bool) -> HostResult.Failure {
    let out = quote(evidence.stdout)
    let err = quote(evidence.stderr)
    let said = saidText(stdout: out, stderr: err)
    let text = String(decoding: evidence.stdout.prefix(4096) + evidence.stderr.prefix(4096), as: UTF8.self)
    let exit = evidence.signal.map { "killed by SIG\($0)" } ?? "exit \(evidence.exitStatus.map(String.init) ?? "?")"

    if evidence.outputCut {
      return HostResult.Failure(
        code: .outputTooLarge,
        message: "the host printed more than \(SSHClient.defaultOutputCap >> 20) MiB before the probe's output, which was cut at the cap"
          + " (\(said)); quiet the login files of \(user) (.bashrc, .profile, .cshrc) so a command over SSH prints nothing of their own")
    }
    if text.contains("requiretty") || text.contains("must have a tty") {
      return HostResult.Failure(
        code: .sudoRefused,
        message: "sudo refuses to run without a terminal (requiretty) (\(said)); add `Defaults:\(user) !requiretty` to sudoers with visudo,"
          + " or scan without --sudo")
    }
    if sudo && text.contains("sudo") && !evidence.probeStarted {
      return HostResult.Failure(
        code: .sudoRefused,
        message: "sudo -n refused (\(said)); give \(user) passwordless sudo for /bin/sh, or scan without --sudo")
    }
    if text.contains(nologinMessage) {
      return HostResult.Failure(
        code: .probeFailed,
        message: "the login shell of \(user) is nologin, which runs no command (\(said)); scan as a user with a shell,"
          + " or give \(user) one (usermod -s /bin/sh \(user))")
    }
    if evidence.stdout.isEmpty && evidence.stderr.isEmpty && evidence.exitStatus == 1 && evidence.signal == nil {
      return HostResult.Failure(
        code: .probeFailed,
        message: "the login shell of \(user) exited 1 without a word: a shell of /bin/false (or a ForceCommand that runs"
          + " nothing); scan as a user with a shell, or give \(user) one (usermod -s /bin/sh \(user))")
    }
    if !evidence.probeStarted && !out.isEmpty {
      return HostResult.Failure(
        code: .probeFailed,
        message: "the probe never started: the host ran something else (\(exit), \(said)), as a ForceCommand in sshd_config,"
          + " a command= option in authorized_keys or a shell that ignores commands does; exempt \(user) from the"
          + " ForceCommand (Match User) or log in with a key without command=")
    }
    let started = evidence.probeStarted ? "the probe started but wrote no section" : "the probe printed nothing fleetports can read"
    return HostResult.Failure(
      code: .probeFailed,
      message: "\(started) (\(exit), \(said)); run `ssh \(user)@HOST 'echo hello'` by hand to see what the login prints")
  }

  /// "the host said: stdout "…"; stderr "…"", or that it said nothing.
  static func saidText(stdout: String, stderr: String) -> String {
    switch (stdout.isEmpty, stderr.isEmpty) {
    case (true, true): return "no output on stdout or stderr"
    case (false, true): return "the host said on stdout: \(stdout)"
    case (true, false): return "the host said on stderr: \(stderr)"
    case (false, false): return "the host said on stdout: \(stdout); on stderr: \(stderr)"
    }
  }

  /// The first non-blank lines of `bytes`, each trimmed and then made safe for a terminal,
  /// joined with ` / ` inside double quotes; empty when there are none. Trimming comes first,
  /// so a line's own `\r` or trailing newline never shows up as a `\x0d` or `\x0a`.
  /// - Parameter bytes: what a host printed on one stream.
  /// - Returns: the quotation, or "" when the stream held only whitespace.
  static func quote(_ bytes: [UInt8]) -> String {
    let text = String(decoding: bytes.prefix(8192), as: UTF8.self)
    var lines: [String] = []
    for raw in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
      let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
      guard !trimmed.isEmpty else { continue }
      let cut = trimmed.count > quotedWidth ? String(trimmed.prefix(quotedWidth)) + "…" : trimmed
      lines.append(TerminalText.sanitize(cut))
      if lines.count == quotedLines { break }
    }
    guard !lines.isEmpty else { return "" }
    return "\"" + lines.joined(separator: " / ") + "\""
  }
}
