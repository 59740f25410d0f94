import CFleetShims
import FleetPortsCore
import FleetPortsSSH
import Foundation

/// The remote side of one host's scan: the command line sshd runs. Nothing from the
/// inventory is ever part of it.
enum ProbeCommand {
  /// The script travels inside the command line, gzip'd, base64 and without its comments and
  /// indentation, to stay under Dropbear's 9,000-byte limit on a command (gzip gives the probe
  /// room to grow: about a third of the plain text's size). Sending it on stdin instead costs a
  /// round trip per host: sshd opens a session channel with a zero window and widens it only
  /// once the command runs, so stdin cannot go out with the exec request. A host without
  /// `base64` or `gzip` (both are in every distribution's base system and in busybox) gets the
  /// script on stdin instead (see `lacksDecoder`).
  ///
  /// The line is read by the user's login shell, whatever it is (bash, dash, busybox ash, zsh,
  /// fish, tcsh, BSD csh), so it holds only what all of them read alike: short single-quoted
  /// words of base64 (csh stops at words of 8 KiB; zsh would expand a bare word that starts
  /// with `=`), `echo` (a builtin in every one of them, so a PATH the login files broke does
  /// not matter), pipes, and `/bin/sh` named by path, which takes over from there with the
  /// standard PATH. No `$`, `!` or backquote appears anywhere.
  static func commandLine(script: [UInt8], sudo: Bool) -> String {
    commandLine(gzipped: gzip(compacted(script)), sudo: sudo)
  }

  /// The same line for a script given as its host's prelude and a body compressed once per scan
  /// (`compressedBody(method:)`): gzip members decompress one after another into the script, so
  /// only the small prelude (nonce, cap) is compressed per host.
  static func commandLine(prelude: [UInt8], compressedBody: [UInt8], sudo: Bool) -> String {
    commandLine(gzipped: gzip(compacted(prelude), level: 1) + compressedBody, sudo: sudo)
  }

  /// `ProbeScript.body(method:)`, compacted and gzip'd: one gzip member that follows a prelude's.
  static func compressedBody(method: ProbeMethod) -> [UInt8] {
    gzip(compacted(Array(ProbeScript.body(method: method).utf8)))
  }

  private static func commandLine(gzipped: [UInt8], sudo: Bool) -> String {
    let encoded = Array(Data(gzipped).base64EncodedString().utf8)
    var words: [String] = []
    var start = 0
    while start < encoded.count {
      let stop = min(start + chunkLength, encoded.count)
      words.append("'" + String(decoding: encoded[start..<stop], as: UTF8.self) + "'")
      start = stop
    }
    // `echo` separates the words with spaces, which `tr` takes out again: busybox's base64
    // has no --ignore-garbage. gzip decompresses every member it reads, one after another.
    let decode = "/bin/sh -c 'PATH=\(standardPath); export PATH; tr -d \" \" | base64 -d | gzip -dc'"
    return "echo \(words.joined(separator: " ")) | \(decode) | \(shell(sudo: sudo))"
  }

  /// `bytes` as one gzip member, by zlib at `level` (9: the best ratio, for what is compressed
  /// once per scan; 1 for the per-host prelude, which is small).
  static func gzip(_ bytes: [UInt8], level: Int32 = 9) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: cfleet_gzip_bound(bytes.count))
    let written = bytes.withUnsafeBufferPointer { input in
      out.withUnsafeMutableBufferPointer { output in
        cfleet_gzip(input.baseAddress, input.count, level, output.baseAddress, output.count)
      }
    }
    // The bound always suffices; zlib fails only without memory, which the process would not survive anyway.
    precondition(written >= 0, "zlib could not compress the probe")
    out.removeSubrange(written...)
    return out
  }

  /// Characters of base64 in one word of the command line: an eighth of csh's 8 KiB word limit
  /// (measured: BSD csh and tcsh read 8,000-character words), and few enough words that the
  /// quotes and spaces (3 bytes a word) keep the whole line under Dropbear's limit.
  static let chunkLength = 1024

  /// The directories a command is looked up in whatever PATH the login files left.
  static let standardPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

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

  /// The fallback for a host without `base64` or `gzip`: the same script on stdin.
  static func stdinCommandLine(sudo: Bool) -> String { shell(sudo: sudo) }

  /// The shell that runs the script from its stdin: `/bin/sh` by path, so a PATH the login
  /// files broke cannot hide it. `sudo -n` fails instead of prompting (the row then says
  /// why); it is looked up in the standard PATH.
  static func shell(sudo: Bool) -> String {
    sudo ? "/bin/sh -c 'PATH=\(standardPath); export PATH; exec sudo -n /bin/sh -s'" : "/bin/sh -s"
  }

  /// True when the host could not decode the command line (no `base64` or no `gzip` there): no
  /// section came back and the shell said one of them is not a command. The exit status cannot
  /// tell: the pipeline's is `sh -s`'s, which read an empty script.
  static func lacksDecoder(stdout: [UInt8], stderr: [UInt8], nonce: String) -> Bool {
    let said = String(decoding: stderr.prefix(4000), as: UTF8.self)
    guard said.contains("base64") || said.contains("gzip"), ["not found", "No such file", "nknown command"].contains(where: said.contains) else { return false }
    return ProbeOutput.parse(stdout, nonce: nonce).sections.isEmpty
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
    if outputCut { snapshot.provenance.degraded.append("the probe's output passed the \(SSHClient.defaultOutputCap >> 20) MiB cap and was cut") }
    if let signal { snapshot.provenance.degraded.append("the probe was killed by SIG\(signal)") }
    return .success(snapshot)
  }
}
