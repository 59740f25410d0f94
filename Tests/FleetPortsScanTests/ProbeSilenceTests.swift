import FleetPortsCore
import Testing

@testable import FleetPortsScan

/// A host that answered without a probe section: the row quotes it and names the cause.
@Suite struct ProbeSilenceTests {
  static let nonce = "0123456789abcdef0123456789abcdef"

  static func failure(
    stdout: String = "", stderr: String = "", exit: Int32? = 0, sudo: Bool = false, cut: Bool = false
  ) -> HostResult.Failure? {
    let result = ProbeCommand.interpret(
      stdout: Array(stdout.utf8), stderr: Array(stderr.utf8), exitStatus: exit, nonce: nonce, sudo: sudo, user: "fp17", outputCut: cut)
    guard case .failure(let failure) = result else { return nil }
    return failure
  }

  @Test func nologinIsNamedAndQuotedFromStdout() throws {
    let failure = try #require(Self.failure(stdout: "This account is currently not available.\n", exit: 1))
    #expect(failure.code == .probeFailed)
    #expect(failure.message.contains("nologin"))
    #expect(failure.message.contains("on stdout: \"This account is currently not available.\""))
    #expect(failure.message.contains("usermod -s /bin/sh fp17"))
    #expect(!failure.message.contains("\\x0a"))
  }

  @Test func binFalseIsAnExitWithoutAWord() throws {
    let failure = try #require(Self.failure(exit: 1))
    #expect(failure.message.contains("/bin/false"))
    #expect(failure.message.contains("exited 1 without a word"))
  }

  @Test func aForceCommandBannerIsQuotedLineByLine() throws {
    let failure = try #require(Self.failure(stdout: "\r\n  Welcome to the jump box  \r\nMenus only.\r\n\n\nthird\nfourth\n"))
    #expect(failure.message.contains("the probe never started"))
    #expect(failure.message.contains("ForceCommand"))
    #expect(failure.message.contains("\"Welcome to the jump box / Menus only. / third\""), "\(failure.message)")
    #expect(!failure.message.contains("fourth"), "only the first lines")
    #expect(!failure.message.contains("\\x0d") && !failure.message.contains("\\x0a"))
  }

  @Test func outputCutAtTheCapSaysLoginNoise() throws {
    let failure = try #require(Self.failure(stdout: String(repeating: "motd ", count: 1000), cut: true))
    #expect(failure.code == .outputTooLarge)
    #expect(failure.message.contains("MiB before the probe's output"))
    #expect(failure.message.contains(".bashrc"))
  }

  @Test func requirettyGetsTheSudoersLine() throws {
    let failure = try #require(Self.failure(stderr: "sudo: sorry, you must have a tty to run sudo\n", exit: 1, sudo: true))
    #expect(failure.code == .sudoRefused)
    #expect(failure.message.contains("`Defaults:fp17 !requiretty`"))
    #expect(failure.message.contains("on stderr: \"sudo: sorry, you must have a tty to run sudo\""))
  }

  @Test func sudoAskingForAPasswordIsSudoRefused() throws {
    let failure = try #require(Self.failure(stderr: "sudo: a password is required\n", exit: 1, sudo: true))
    #expect(failure.code == .sudoRefused)
    #expect(failure.message.contains("passwordless sudo"))
  }

  @Test func aProbeThatStartedAndDiedSaysSo() throws {
    let stdout = "noise\n\n@@fp:\(Self.nonce):key 0011223344556677@@\n"
    let failure = try #require(Self.failure(stdout: stdout, stderr: "sh: 3: Syntax error\n", exit: 2))
    #expect(failure.message.contains("the probe started but wrote no section"))
    #expect(failure.message.contains("exit 2"))
    #expect(failure.message.contains("\"sh: 3: Syntax error\""))
  }

  @Test func quotedTextIsSanitisedAfterTrimming() {
    #expect(ProbeSilence.quote(Array("\u{1B}[31mred\u{1B}[0m\r\n".utf8)) == "\"\\x1b[31mred\\x1b[0m\"")
    #expect(ProbeSilence.quote(Array(" \n\t\r\n".utf8)) == "")
    let long = ProbeSilence.quote(Array(String(repeating: "x", count: 500).utf8))
    #expect(long.count == ProbeSilence.quotedWidth + 3)
  }
}
