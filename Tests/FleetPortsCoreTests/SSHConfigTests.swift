import FleetPortsCore
import Testing

@Suite struct SSHConfigTests {
  func fixture() throws -> SSHConfig {
    let text = String(decoding: try FixtureFiles.bytes("inventory/ssh_config"), as: UTF8.self)
    return try SSHConfig.parse(text, file: "ssh_config")
  }

  func problems(_ text: String) -> [SSHConfigProblem] {
    do {
      _ = try SSHConfig.parse(text, file: "config")
      return []
    } catch {
      return error.problems
    }
  }

  @Test func sshConfigFirstValueWins() throws {
    let web1 = try fixture().resolve(alias: "web1")
    #expect(web1.hostName == "192.0.2.11")
    #expect(web1.user == "deploy")
    #expect(web1.port == 2222)
    #expect(web1.sources["user"] == SourceLine(file: "ssh_config", line: 7))
    let web2 = try fixture().resolve(alias: "web2")
    #expect(web2.user == "ops")
    #expect(web2.hostName == nil)
    #expect(web2.connectName == "web2")
  }

  @Test func identityFilesAccumulateInOrder() throws {
    let web1 = try fixture().resolve(alias: "web1")
    #expect(web1.identityFiles == ["~/.ssh/web_ed25519", "~/.ssh/shared_ed25519", "~/.ssh/id_192.0.2.11"])
  }

  @Test func homeDirectoryExpandsTilde() throws {
    let web1 = try fixture().resolve(alias: "web1", homeDirectory: "/home/ops")
    #expect(web1.identityFiles.first == "/home/ops/.ssh/web_ed25519")
    let config = try SSHConfig.parse("IdentityFile %d/.ssh/id_%r_%n\nUser ops\n", file: "config")
    #expect(config.resolve(alias: "web9", homeDirectory: "/root").identityFiles == ["/root/.ssh/id_ops_web9"])
    #expect(config.resolve(alias: "web9").identityFiles == ["%d/.ssh/id_ops_web9"])
  }

  @Test func hostNameTokenIsTheAlias() throws {
    let db1 = try fixture().resolve(alias: "db1")
    #expect(db1.hostName == "db1.db.example.com")
    #expect(db1.port == 5022)
  }

  @Test func keywordsAreCaseInsensitiveAndTakeEqualsSigns() throws {
    let db1 = try fixture().resolve(alias: "db1")
    #expect(db1.strictHostKeyChecking == "accept-new")
    let config = try SSHConfig.parse("HOST = web1\n  hostname=10.0.0.1\n  PORT = 2200\n", file: "config")
    let web1 = config.resolve(alias: "web1")
    #expect(web1.hostName == "10.0.0.1")
    #expect(web1.port == 2200)
  }

  @Test func quotedValuesKeepTheirBlanks() throws {
    let db1 = try fixture().resolve(alias: "db1")
    #expect(db1.userKnownHostsFiles == ["~/.ssh/known_hosts.db", "/etc/ssh/known hosts.db"])
  }

  @Test func patternsWithWildcardsMatch() throws {
    let config = try fixture()
    #expect(config.resolve(alias: "dbx").hostName == "dbx.db.example.com")
    #expect(config.resolve(alias: "db10").hostName == nil)
    #expect(config.resolve(alias: "anything").user == "fallback")
    #expect(config.resolve(alias: "anything").strictHostKeyChecking == "yes")
  }

  @Test func negatedPatternExcludes() throws {
    let config = try fixture()
    #expect(config.resolve(alias: "app.internal").proxyJump == "bastion.internal")
    #expect(config.resolve(alias: "bastion.internal").proxyJump == nil)
    let onlyNegated = try SSHConfig.parse("Host !web1\n  User nobody\n", file: "config")
    #expect(onlyNegated.resolve(alias: "web2").user == nil)
  }

  @Test func proxyJumpBecomesARoute() throws {
    let config = try fixture()
    let resolver = ProxyRouteResolver(config: config, defaultUser: "me")
    let app = config.resolve(alias: "app.internal")
    let route = try resolver.route(for: app, inventoryJump: nil, host: "app.internal", port: 22, user: "me")
    let hop = JumpHop(
      name: "bastion.internal", address: "bastion.internal", port: 22, user: "fallback", identityFiles: ["~/.ssh/id_bastion.internal"])
    #expect(route == .jump([hop]))
    let web1 = config.resolve(alias: "web1")
    #expect(try resolver.route(for: web1, inventoryJump: nil, host: "web1", port: 22, user: "me") == .direct)
  }

  @Test func proxyCommandBecomesARoute() throws {
    let config = try fixture()
    let legacy = config.resolve(alias: "legacy")
    #expect(legacy.proxyCommand == "ssh -W %h:%p gateway.example.com")
    let route = try ProxyRouteResolver(config: config, defaultUser: "me").route(
      for: legacy, inventoryJump: nil, host: "10.0.0.9", port: 2222, user: "ops")
    #expect(route == .command(line: "exec ssh -W 10.0.0.9:2222 gateway.example.com", template: "ssh -W %h:%p gateway.example.com"))
  }

  @Test func proxyNoneDisablesALaterProxy() throws {
    let config = try SSHConfig.parse("Host direct.internal\n  ProxyJump none\nHost *.internal\n  ProxyCommand nc %h %p\n", file: "config")
    let direct = config.resolve(alias: "direct.internal")
    #expect(direct.proxyJump == nil && direct.proxyCommand == nil)
    #expect(config.resolve(alias: "other.internal").proxyCommand == "nc %h %p")
  }

  @Test func matchExecReachedIsAnUnsupportedSettingNamingItsLine() throws {
    let legacy = try fixture().resolve(alias: "legacy")
    #expect(legacy.user == "fallback")
    #expect(legacy.unsupported.map(\.source) == [SourceLine(file: "ssh_config", line: 24)])
    #expect(legacy.unsupported.first?.setting == "Match exec \"test -f /etc/legacy\"")
    // `host legacy` fails first for other hosts, so ssh never runs the command for them.
    #expect(try fixture().resolve(alias: "web1").unsupported.isEmpty)
    #expect(try fixture().matchLines == [SourceLine(file: "ssh_config", line: 24)])
  }

  @Test func matchAllAppliesToEveryHost() throws {
    let config = try SSHConfig.parse("Host web1\n  User a\nMatch all\n  Port 2200\n", file: "config")
    #expect(config.resolve(alias: "db1").port == 2200)
    #expect(config.resolve(alias: "db1").user == nil)
    #expect(config.resolve(alias: "db1").unsupported.isEmpty)
  }

  @Test func includePathsAreRecorded() throws {
    let includes = try fixture().includes
    #expect(includes.map(\.paths) == [["~/.ssh/config.d/*"]])
    #expect(includes.first?.source == SourceLine(file: "ssh_config", line: 3))
  }

  @Test func includedFilesAreReadInPlaceWithinTheirHostBlock() throws {
    let text = "Host web*\n  Include web.conf\nHost *\n  User fallback\n"
    let config = try SSHConfig.parse(text, file: "config") { path in
      path == "web.conf" ? [SSHConfig.IncludedFile(file: "/home/ops/.ssh/web.conf", text: "User webops\nHost db1\n  Port 2200\n")] : []
    }
    #expect(config.resolve(alias: "web1").user == "webops")
    #expect(config.resolve(alias: "web1").sources["user"] == SourceLine(file: "/home/ops/.ssh/web.conf", line: 1))
    #expect(config.resolve(alias: "db1").user == "fallback")
    // `Host db1` inside a file included under `Host web*` needs both to match.
    #expect(config.resolve(alias: "db1").port == nil)
  }

  @Test func includeLoopIsAnError() {
    let found: [SSHConfigProblem]
    do {
      _ = try SSHConfig.parse("Include self\n", file: "config") { _ in [SSHConfig.IncludedFile(file: "self", text: "Include self\n")] }
      found = []
    } catch {
      found = error.problems
    }
    #expect(found.map(\.kind) == [.includeTooDeep(path: "self")])
    #expect(found.first?.source == SourceLine(file: "self", line: 1))
  }

  @Test func missingArgumentIsAnError() {
    let found = problems("Host web1\n  HostName\n")
    #expect(found.map(\.description) == ["config:2: HostName needs a value"])
    #expect(problems("Host\n").map(\.kind) == [.missingArgument(keyword: "Host")])
  }

  @Test func unterminatedQuoteIsAnError() {
    #expect(problems("IdentityFile \"~/.ssh/id\n").map(\.kind) == [.unterminatedQuote])
  }

  @Test func badPortIsAnError() {
    #expect(problems("Port 0\n").map(\.description) == ["config:1: Port '0' is not a number from 1 to 65535"])
  }

  @Test func badStrictHostKeyCheckingIsAnError() {
    guard case .invalidValue(keyword: "StrictHostKeyChecking", value: "maybe", _)? = problems("StrictHostKeyChecking maybe\n").first?.kind
    else {
      Issue.record("expected invalidValue")
      return
    }
  }

  @Test func unknownKeywordsAreKeptButNotResolved() throws {
    let config = try SSHConfig.parse("Host *\n  ServerAliveInterval 30\n  # comment\n  User ops # trailing comment\n", file: "config")
    #expect(config.directives.map(\.keyword) == ["serveraliveinterval", "user"])
    #expect(config.resolve(alias: "x").user == "ops")
  }

  // MARK: applying ssh_config to an inventory

  @Test func sshConfigFillsOnlyWhatTheInventoryLeftUnset() throws {
    let inventory = try InventoryParser.parse("web1\nadmin@web2:2022 key=/keys/web2\n[db]\ndb1\n", file: "inventory.txt")
    let configured = inventory.applying(try fixture(), homeDirectory: "/home/ops")
    let web1 = try #require(configured.inventory.host(named: "web1"))
    #expect(web1.address == "192.0.2.11")
    #expect(web1.user == "deploy" && web1.port == 2222)
    #expect(web1.identityFile == "/home/ops/.ssh/web_ed25519")
    let web2 = try #require(configured.inventory.host(named: "web2"))
    #expect(web2.address == "web2")
    #expect(web2.user == "admin" && web2.port == 2022 && web2.identityFile == "/keys/web2")
    let db1 = try #require(configured.inventory.host(named: "db1"))
    #expect(db1.address == "db1.db.example.com" && db1.port == 5022 && db1.groups == ["db"])
    #expect(configured.resolutions.map(\.alias) == ["web1", "web2", "db1"])
  }

  @Test func ansibleHostIsNotReplacedByHostName() throws {
    let inventory = try InventoryParser.parse("web1 ansible_host=10.9.9.9\n", file: "hosts.ini")
    let host = try #require(inventory.applying(try fixture()).inventory.hosts.first)
    #expect(host.address == "10.9.9.9")
    #expect(host.user == "deploy")
  }

  @Test func proxiedHostsKeepTheirProxySettings() throws {
    let inventory = try InventoryParser.parse("app.internal\nweb1\nlegacy\n", file: "inventory.txt")
    let resolutions = inventory.applying(try fixture()).resolutions
    #expect(resolutions.map(\.proxyJump) == ["bastion.internal", nil, nil])
    #expect(resolutions.map(\.proxyCommand) == [nil, nil, "ssh -W %h:%p gateway.example.com"])
  }
}
