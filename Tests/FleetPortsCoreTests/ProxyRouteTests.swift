import FleetPortsCore
import Testing

@Suite struct JumpSpecTests {
  @Test func listsOfUserHostPort() throws {
    #expect(
      try JumpSpec.parseList("ops@bastion:2222, inner,ssh://root@deep:22")
        == [JumpSpec(user: "ops", host: "bastion", port: 2222), JumpSpec(host: "inner"), JumpSpec(user: "root", host: "deep", port: 22)])
  }

  @Test func ipv6InBrackets() throws {
    #expect(try JumpSpec.parseList("[fd00::1]:2200") == [JumpSpec(host: "fd00::1", port: 2200)])
    #expect(try JumpSpec.parseList("admin@[fd00::2]") == [JumpSpec(user: "admin", host: "fd00::2")])
  }

  @Test(arguments: ["", "a,,b", "@host", "host:0", "host:70000", "[fd00::1", "[fd00::1]x", "user@"])
  func malformedEntriesAreRefused(_ list: String) {
    #expect(throws: ProxyRouteError.self) { try JumpSpec.parseList(list) }
  }

  @Test func theMessageNamesTheEntry() {
    #expect(
      throws: ProxyRouteError.invalidJump(list: "a,b:99999", entry: "b:99999", why: "the port '99999' is not a number from 1 to 65535")
    ) {
      try JumpSpec.parseList("a,b:99999")
    }
  }
}

@Suite struct ProxyCommandLineTests {
  @Test func tokensAreExpandedAsOpenSSHPastesThem() throws {
    let line = try ProxyCommandLine.expand("nc %h %p # %r %n 100%%", host: "10.0.0.5", port: 22, user: "ops", alias: "web-1")
    #expect(line == "exec nc 10.0.0.5 22 # ops web-1 100%")
    // Quotes in the template keep their meaning: `"%h:%p"` is one word, as for ssh.
    let quoted = try ProxyCommandLine.expand(#"ssh -W "%h:%p" '%r'@bastion"#, host: "fd00::5", port: 2222, user: "ops", alias: "db")
    #expect(quoted == #"exec ssh -W "fd00::5:2222" 'ops'@bastion"#)
  }

  /// Shell syntax in a value would run inside or outside the template's quotes alike
  /// (`"$(…)"`, or a quote that closes the template's): such a value is refused, never pasted.
  @Test(arguments: ["x; rm -rf ~", "x$(id)", "a'b", "a\"b", "a`id`", "two words", "a\\b", "a\nb", ""])
  func aValueAShellWouldInterpretIsRefused(host: String) {
    for template in ["nc %h %p", "nc '%h' %p", #"ssh -W "%h:%p" b"#] {
      #expect(throws: ProxyRouteError.unsafeValue(command: template, token: "h", value: host)) {
        try ProxyCommandLine.expand(template, host: host, port: 22, user: "u", alias: "a")
      }
    }
  }

  @Test func unknownTokensAreRefused() {
    #expect(throws: ProxyRouteError.unknownToken(command: "nc %h %C", token: "C")) {
      try ProxyCommandLine.expand("nc %h %C", host: "h", port: 22, user: "u", alias: "a")
    }
  }
}

@Suite struct ProxyRouteResolverTests {
  static let config = """
    Host bastion
      HostName 192.0.2.10
      User jump
      Port 2022
      IdentityFile ~/.ssh/jump_key
    Host inner
      HostName 10.1.0.5
      ProxyJump bastion
    Host deep
      HostName 10.2.0.7
      ProxyJump inner
    Host legacy
      ProxyCommand ssh -W %h:%p bastion
    Host viaLegacy
      ProxyJump legacy
    Host loop1
      ProxyJump loop2
    Host loop2
      ProxyJump loop1
    """

  func resolver() throws -> ProxyRouteResolver {
    ProxyRouteResolver(config: try SSHConfig.parse(Self.config, file: "config"), defaultUser: "me", homeDirectory: "/home/me")
  }

  let bastion = JumpHop(name: "bastion", address: "192.0.2.10", port: 2022, user: "jump", identityFiles: ["/home/me/.ssh/jump_key"])

  func route(_ alias: String, jump: String? = nil) throws -> ProxyRoute {
    let resolver = try resolver()
    let resolution = resolver.config.resolve(alias: alias, homeDirectory: "/home/me")
    return try resolver.route(for: resolution, inventoryJump: jump, host: resolution.connectName, port: 22, user: "me")
  }

  @Test func aHopIsResolvedThroughSSHConfig() throws {
    #expect(try route("inner") == .jump([bastion]))
  }

  @Test func theFirstHopsOwnProxyJumpIsPrepended() throws {
    let inner = JumpHop(name: "inner", address: "10.1.0.5", port: 22, user: "me")
    #expect(try route("deep") == .jump([bastion, inner]))
  }

  @Test func userAndPortInTheListWin() throws {
    #expect(
      try route("anything", jump: "root@bastion:22")
        == .jump([JumpHop(name: "bastion", address: "192.0.2.10", port: 22, user: "root", identityFiles: ["/home/me/.ssh/jump_key"])]))
  }

  @Test func theInventorysJumpWinsOverSSHConfig() throws {
    #expect(try route("legacy", jump: "bastion") == .jump([bastion]))
    #expect(try route("inner", jump: "none") == .direct)
  }

  @Test func loopsEndWithAnError() {
    #expect(throws: ProxyRouteError.tooManyHops(alias: "x", limit: ProxyRouteResolver.maxHops)) { try route("x", jump: "loop1") }
  }

  @Test func aJumpHostReachedByProxyCommandIsRefused() {
    #expect(throws: ProxyRouteError.proxyCommandOnJumpHost(jump: "legacy", command: "ssh -W %h:%p bastion")) { try route("viaLegacy") }
  }

  @Test func labelsNameTheAddressWhenItDiffers() {
    #expect(
      ProxyRoute.jump([bastion, JumpHop(name: "inner", address: "inner", port: 22, user: "me")]).summary
        == "via bastion (192.0.2.10:2022) → inner")
  }
}
