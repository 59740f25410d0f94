import FleetPortsCore
import Foundation
import LabSupport
import Testing

@testable import FleetPortsScan

#if canImport(Glibc)
  import Glibc
#endif

/// The command line sshd hands to the login shell: the whole probe travels in it, so it must
/// survive any shell untouched and decode back to the script.
@Suite struct ProbeCommandTests {
  /// Runs `shell -c line` the way sshd runs a command, and returns (stdout, stderr, status).
  static func run(_ shell: [String], _ line: String, path: String? = nil) throws -> ([UInt8], [UInt8], Int32) {
    let ran = try ChildProcess.run(shell + ["-c", line], environment: path.map { ["PATH": $0] }, timeout: .seconds(120))
    return (ran.stdout, ran.stderr, ran.status)
  }

  static var shells: [[String]] {
    [["/bin/sh"], ["/bin/bash"], ["/bin/busybox", "sh"], ["/usr/bin/zsh"], ["/usr/bin/fish"], ["/usr/bin/tcsh"], ["/usr/bin/bsd-csh"]]
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
      guard case .success(let snapshot) = ProbeCommand.interpret(stdout: stdout, stderr: stderr, exitStatus: status, nonce: nonce, sudo: false, user: "fp") else {
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
    let script = Array(ProbeScript.make(nonce: nonce, method: .proc).utf8)
    let line = ProbeCommand.commandLine(script: script, sudo: false)
    let noiseFile = FileManager.default.temporaryDirectory.appendingPathComponent("fp-noise-\(getpid())-\(noise.count)").path
    try noise.write(toFile: noiseFile, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: noiseFile) }
    for shell in Self.shells {
      // /bin/cat by path: the noise is printed with the PATH already broken.
      let (stdout, stderr, status) = try Self.run(shell, "/bin/cat \(noiseFile); " + line, path: "/nonexistent")
      #expect(status == 0, "\(shell): \(String(decoding: stderr, as: UTF8.self))")
      #expect(stdout.starts(with: Array(noise.utf8)))
      guard case .success(let snapshot) = ProbeCommand.interpret(stdout: stdout, stderr: stderr, exitStatus: status, nonce: nonce, sudo: false, user: "fp")
      else {
        Issue.record("\(shell): the probe's output did not read back after \(noise.prefix(20))")
        continue
      }
      #expect(!snapshot.sockets.isEmpty, "\(shell): no sockets read")
      // The noise is one line outside any section; the newline the probe adds makes no other.
      #expect(snapshot.provenance.problems.allSatisfy { !$0.contains("outside") || $0.hasPrefix("1 line outside") }, "\(shell): \(snapshot.provenance.problems)")
    }
  }

  /// The scan sends each host its prelude compressed on its own and the body compressed once
  /// per scan: the host's gzip joins the two members into the very script `make` writes.
  @Test func aPreludeAndABodyCompressedApartDecodeToTheWholeProbe() throws {
    let nonce = ProbeScript.makeNonce()
    let prelude = Array(ProbeScript.prelude(nonce: nonce, sectionCap: 4096).utf8)
    let line = ProbeCommand.commandLine(prelude: prelude, compressedBody: ProbeCommand.compressedBody(method: .ss), sudo: false)
    let decoded = try Self.run(["/bin/sh"], line.replacingOccurrences(of: " | /bin/sh -s", with: ""))
    #expect(decoded.2 == 0, "\(String(decoding: decoded.1, as: UTF8.self))")
    let whole = Array(ProbeScript.make(nonce: nonce, method: .ss, sectionCap: 4096).utf8)
    #expect(decoded.0 == ProbeCommand.compacted(whole))
    #expect(line.utf8.count < ProbeCommand.dropbearCommandLimit)
  }

  @Test func theProbeFitsDropbearsCommandLimitForEveryMethod() {
    for method in ProbeMethod.allCases {
      let script = Array(ProbeScript.make(nonce: ProbeScript.makeNonce(), method: method).utf8)
      let line = ProbeCommand.commandLine(script: script, sudo: true)
      #expect(line.utf8.count < ProbeCommand.dropbearCommandLimit, "\(method): \(line.utf8.count) bytes")
    }
  }

  @Test func theCommandLineHoldsNothingAShellWouldInterpret() throws {
    // Filler that does not compress to nothing, so the payload still spans several words.
    var generator = SystemRandomNumberGenerator()
    let filler = (0..<600).map { _ in "echo \(UInt64.random(in: 0...UInt64.max, using: &generator))\n" }.joined()
    let script = Array(("echo '$HOME' \"`id`\" ; exit 0 # ü\n" + filler).utf8)
    let line = ProbeCommand.commandLine(script: script, sudo: true)
    #expect(line.hasPrefix("echo '"))
    #expect(line.hasSuffix(" | /bin/sh -c 'PATH=\(ProbeCommand.standardPath); export PATH; exec sudo -n /bin/sh -s'"))
    #expect(!line.contains("$") && !line.contains("!") && !line.contains("`"), "nothing csh, fish or zsh would expand")
    let words = line.dropFirst(5).prefix { $0 != "|" }.split(separator: " ")
    #expect(words.count > 3, "the payload comes in several words")
    var payload = ""
    for word in words {
      #expect(word.count <= ProbeCommand.chunkLength + 2 && word.first == "'" && word.last == "'", "\(word)")
      let inner = word.dropFirst().dropLast()
      #expect(inner.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "+/=".contains($0)) })
      payload += inner
    }
    // The payload is gzip: the host's own gzip (here this machine's) gives the script back.
    let compressed = try #require(Data(base64Encoded: payload).map([UInt8].init))
    let unzipped = try ChildProcess.run(["gzip", "-dc"], stdin: compressed, timeout: .seconds(30))
    #expect(unzipped.status == 0)
    #expect(unzipped.stdout == ProbeCommand.compacted(script))
    #expect(compressed.count * 2 < ProbeCommand.compacted(script).count, "gzip at least halves the script")
  }

  @Test func aHostWithoutBase64OrGzipIsToldApartFromAProbeThatFailed() throws {
    let nonce = ProbeScript.makeNonce()
    let line = ProbeCommand.commandLine(script: Array("echo hello\n".utf8), sudo: false)
    // The command line looks base64 up in the standard directories, where this machine has it:
    // a host without it is the same line naming a tool that is nowhere.
    let missing = try Self.run(["/bin/sh"], line.replacingOccurrences(of: "base64 -d", with: "fp-no-such-base64 -d"))
    #expect(missing.0.isEmpty)
    #expect(ProbeCommand.lacksDecoder(stdout: missing.0, stderr: missing.1, nonce: nonce))
    #expect(ProbeCommand.lacksDecoder(stdout: [], stderr: Array("/bin/sh: 1: base64: not found\n".utf8), nonce: nonce))
    #expect(String(decoding: missing.1, as: UTF8.self).contains("fp-no-such-base64: not found"))
    // The same for gzip, which decompresses what base64 decoded.
    let noGzip = try Self.run(["/bin/sh"], line.replacingOccurrences(of: "gzip -dc", with: "fp-no-such-gzip -dc"))
    #expect(noGzip.0.isEmpty)
    #expect(ProbeCommand.lacksDecoder(stdout: noGzip.0, stderr: noGzip.1, nonce: nonce))
    #expect(ProbeCommand.lacksDecoder(stdout: [], stderr: Array("sh: gzip: not found\n".utf8), nonce: nonce))

    // A PATH the login files broke: the line still finds /bin/sh, base64 and tr.
    let present = try Self.run(["/bin/sh"], line, path: "/nonexistent")
    #expect(String(decoding: present.0, as: UTF8.self) == "hello\n")
    #expect(!ProbeCommand.lacksDecoder(stdout: present.0, stderr: present.1, nonce: nonce))
    // A probe that ran and failed with base64 in its error is not a missing base64.
    #expect(!ProbeCommand.lacksDecoder(stdout: [], stderr: Array("base64: write error: Broken pipe\n".utf8), nonce: nonce))
  }
}
