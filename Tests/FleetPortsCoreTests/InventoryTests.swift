import FleetPortsCore
import Testing

@Suite struct InventoryTests {
  func fixture(_ name: String) throws -> String {
    String(decoding: try FixtureFiles.bytes("inventory/\(name)"), as: UTF8.self)
  }

  func parse(_ text: String, format: InventoryFormat? = nil) throws -> Inventory {
    try InventoryParser.parse(text, file: "inventory.txt", format: format)
  }

  /// The problems a text produces, as `file:line: message` lines.
  func problems(_ text: String, format: InventoryFormat? = nil) -> [InventoryProblem] {
    do {
      _ = try InventoryParser.parse(text, file: "inventory.txt", format: format)
      return []
    } catch {
      return error.problems
    }
  }

  // MARK: native format

  @Test func userAtHostWithPortAndOptions() throws {
    let inventory = try parse("deploy@web2.example.com:2222 key=~/.ssh/deploy_ed25519 groups=web,edge sudo=yes\n")
    #expect(inventory.hosts == [
      InventoryHost(
        name: "web2.example.com", address: "web2.example.com", port: 2222, user: "deploy",
        identityFile: "~/.ssh/deploy_ed25519", groups: ["edge", "web"], sudo: true,
        source: SourceLine(file: "inventory.txt", line: 1)
      ),
    ])
  }

  @Test func unsetValuesStayNil() throws {
    let host = try #require(try parse("web1\n").hosts.first)
    #expect(host.name == "web1")
    #expect(host.address == "web1")
    #expect(host.port == nil && host.user == nil && host.identityFile == nil && host.sudo == nil)
    #expect(host.groups.isEmpty)
  }

  @Test func optionsCanSetUserAndPort() throws {
    let host = try #require(try parse("web1 user=admin port=2200\n").hosts.first)
    #expect(host.user == "admin")
    #expect(host.port == 2200)
  }

  @Test func bracketedIPv6WithPort() throws {
    let host = try #require(try parse("root@[fd00::10]:2222\n").hosts.first)
    #expect(host.name == "fd00::10")
    #expect(host.address == "fd00::10")
    #expect(host.port == 2222)
    #expect(host.user == "root")
  }

  @Test func bracketedIPv6WithoutPortAsTheLabWritesIt() throws {
    let host = try #require(try parse("# lab host 1 over IPv6\nroot@[fd00:200::a]\n").hosts.first)
    #expect(host.name == "fd00:200::a")
    #expect(host.port == nil)
  }

  @Test func bareIPv6HasNoPort() throws {
    let host = try #require(try parse("fd00::11\nfe80::1%eth0\n").hosts.first)
    #expect(host.name == "fd00::11")
    #expect(host.port == nil)
    #expect(try parse("fe80::1%eth0\n").hosts.first?.name == "fe80::1%eth0")
  }

  @Test func groupHeadersAndCommentsInTheNativeFixture() throws {
    let inventory = try InventoryParser.parse(try fixture("native.txt"), file: "native.txt")
    #expect(inventory.hosts.map(\.name) == [
      "bastion.example.com", "web1.example.com", "web2.example.com", "web03.example.com",
      "web04.example.com", "db1.example.com", "fd00::10", "fd00::11", "10.0.0.5",
    ])
    #expect(inventory.host(named: "bastion.example.com")?.groups == [])
    #expect(inventory.host(named: "web1.example.com")?.user == "root")
    #expect(inventory.host(named: "web1.example.com")?.groups == ["web"])
    let web2 = try #require(inventory.host(named: "web2.example.com"))
    #expect(web2.port == 2222 && web2.identityFile == "~/.ssh/deploy_ed25519")
    #expect(inventory.host(named: "web04.example.com")?.sudo == true)
    #expect(inventory.host(named: "web04.example.com")?.user == "admin")
    #expect(inventory.host(named: "fd00::10")?.port == 2222)
    #expect(inventory.host(named: "fd00::11")?.groups == ["db"])
    let other = try #require(inventory.host(named: "10.0.0.5"))
    #expect(other.user == "root" && other.port == 2200 && other.groups == ["backup"])
  }

  @Test func hostListedTwiceIsMergedWithTheUnionOfGroups() throws {
    let inventory = try InventoryParser.parse(try fixture("native.txt"), file: "native.txt")
    let db1 = inventory.hosts.filter { $0.name == "db1.example.com" }
    #expect(db1.count == 1)
    #expect(db1.first?.groups == ["backup", "critical", "db"])
    #expect(db1.first?.sudo == true)
    #expect(db1.first?.source == SourceLine(file: "native.txt", line: 11))
  }

  @Test func sameNameOnAnotherPortIsAnotherHost() throws {
    let inventory = try parse("web1\nweb1:2222\nWEB1\n")
    #expect(inventory.hosts.map(\.port) == [nil, 2222])
  }

  @Test func secondListingFillsWhatTheFirstLeftUnset() throws {
    let inventory = try parse("[a]\nweb1\n[b]\nroot@web1 sudo=no\n")
    #expect(inventory.hosts == [
      InventoryHost(name: "web1", user: "root", groups: ["a", "b"], sudo: false, source: SourceLine(file: "inventory.txt", line: 2)),
    ])
  }

  @Test func quotedValueKeepsItsBlanks() throws {
    let host = try #require(try parse("web1 key=\"/keys/ops team/id_ed25519\"\n").hosts.first)
    #expect(host.identityFile == "/keys/ops team/id_ed25519")
  }

  @Test func hashInsideAWordIsNotAComment() throws {
    let host = try #require(try parse("web1 key=/keys/a#b # comment\n").hosts.first)
    #expect(host.identityFile == "/keys/a#b")
  }

  @Test func crlfLineEndingsAreRead() throws {
    let inventory = try parse("[web]\r\nweb1\r\nweb2 user=ops\r\n")
    #expect(inventory.hosts.map(\.name) == ["web1", "web2"])
    #expect(inventory.hosts.last?.user == "ops")
  }

  @Test func rangeExpands() throws {
    #expect(try parse("web[01:03].example.com\n").hosts.map(\.name) == ["web01.example.com", "web02.example.com", "web03.example.com"])
    #expect(try parse("db-[a:c]\n").hosts.map(\.name) == ["db-a", "db-b", "db-c"])
    #expect(try parse("node[1:9:4]\n").hosts.map(\.name) == ["node1", "node5", "node9"])
    #expect(try parse("r[1:2]n[1:2]:2222\n").hosts.map(\.name) == ["r1n1", "r1n2", "r2n1", "r2n2"])
    #expect(try parse("r[1:2]n[1:2]:2222\n").hosts.allSatisfy { $0.port == 2222 })
  }

  @Test func nativeFormatIsDetectedWithoutAnsibleMarkers() throws {
    #expect(InventoryFormat.detect(try fixture("native.txt")) == .native)
    #expect(InventoryFormat.detect(try fixture("ansible-hosts.ini")) == .ansible)
    #expect(InventoryFormat.detect("web1 ansible_host=10.0.0.1\n") == .ansible)
    #expect(InventoryFormat.detect("[web:children]  # nested\nfront\n") == .ansible)
    #expect(InventoryFormat.detect("# [web:vars]\nweb1\n") == .native)
  }

  // MARK: native errors, one test per kind

  @Test func malformedLineNamesItsLineNumber() {
    let found = problems("# hosts\n\n[web]\nweb1\nweb2\nweb3\nweb4 prot=22\n")
    #expect(found.map(\.description) == ["inventory.txt:7: unknown option 'prot=22' (known: user, port, key, groups, sudo)"])
    #expect(found.first?.source == SourceLine(file: "inventory.txt", line: 7))
  }

  @Test func everyBadLineIsReportedInOneRun() {
    let found = problems("web1:0\nweb2 sudo=maybe\nok\n@web3\n")
    #expect(found.map(\.source.line) == [1, 2, 4])
  }

  @Test func wordWithoutEqualsIsNotAnOption() {
    #expect(problems("web1 admin\n").map(\.kind) == [.notAnOption("admin")])
  }

  @Test func optionWithoutValueIsAnError() {
    #expect(problems("web1 key=\n").map(\.kind) == [.emptyValue(key: "key")])
    #expect(problems("web1 groups=,\n").map(\.kind) == [.emptyValue(key: "groups")])
  }

  @Test func portsMustBeFrom1To65535() {
    #expect(problems("web1:0\n").map(\.kind) == [.invalidPort("0")])
    #expect(problems("web1:65536\n").map(\.kind) == [.invalidPort("65536")])
    #expect(problems("web1 port=ssh\n").map(\.kind) == [.invalidPort("ssh")])
    #expect(problems("[fd00::1]:\n").map(\.kind) == [.invalidPort("")])
    #expect(problems("web1:65535\n").isEmpty)
  }

  @Test func sudoMustBeTrueFalseYesOrNo() {
    let found = problems("web1 sudo=maybe\n")
    #expect(found.map(\.kind) == [.invalidBoolean(key: "sudo", value: "maybe")])
    #expect(found.first?.message == "sudo 'maybe' is not true, false, yes or no")
  }

  @Test func emptyUserIsAnError() {
    #expect(problems("@web1\n").map(\.kind) == [.emptyUser("@web1")])
  }

  @Test func emptyHostIsAnError() {
    #expect(problems("root@\n").map(\.kind) == [.emptyHost("root@")])
    #expect(problems(":22\n").map(\.kind) == [.emptyHost(":22")])
  }

  @Test func twoColonsWithoutBracketsIsMalformed() {
    let found = problems("web1:22:33\n")
    guard case .malformedHost("web1:22:33", _)? = found.first?.kind else {
      Issue.record("expected malformedHost, got \(found)")
      return
    }
    #expect(found.first?.message.contains("[fd00::1]:2222") == true)
  }

  @Test func textAfterBracketedIPv6IsMalformed() {
    guard case .malformedHost? = problems("[fd00::1]x\n").first?.kind else {
      Issue.record("expected malformedHost")
      return
    }
  }

  @Test func badGroupNamesAreErrors() {
    #expect(problems("web1 groups=a,b;c\n").isEmpty)
    #expect(problems("web1 groups=a,b]\n").map(\.kind) == [.invalidGroupName("b]")])
    #expect(problems("[we=b]\n").map(\.kind) == [.invalidGroupName("we=b")])
  }

  @Test func brokenHeadersAreErrors() {
    #expect(problems("[web servers]\n").map(\.kind) == [.malformedSection("[web servers]")])
    #expect(problems("[]\n").map(\.kind) == [.malformedSection("[]")])
    #expect(problems("[web\n").map(\.kind) == [.malformedSection("[web")])
    #expect(problems("[web:children]\nfront\n", format: .native).map(\.kind) == [.malformedSection("[web:children]")])
  }

  @Test func conflictingValuesOnOneLineAreRefused() {
    #expect(problems("root@web1 user=admin\n").map(\.kind) == [
      .conflictingValues(host: "web1", key: "user", first: "root", second: "admin", firstSource: nil),
    ])
    #expect(problems("web1:22 port=22\n").isEmpty)
  }

  @Test func conflictingValuesAcrossListingsNameTheFirstLine() {
    let found = problems("root@web1\nweb2\nadmin@web1\n")
    #expect(found.map(\.description) == [
      "inventory.txt:3: host 'web1' is given user 'root' at inventory.txt:1 and user 'admin' here; keep one",
    ])
  }

  @Test func unterminatedQuoteIsAnError() {
    #expect(problems("web1 key=\"/keys/id\n").map(\.kind) == [.unterminatedQuote])
  }

  @Test func badRangesAreErrors() {
    #expect(problems("web[03:01]\n").map(\.kind) == [.invalidRange("web[03:01]", reason: "start 03 is after end 01")])
    guard case .invalidRange? = problems("web[a:10]\n").first?.kind,
          case .invalidRange? = problems("web[01:100]\n").first?.kind,
          case .invalidRange? = problems("web[1:3\n").first?.kind,
          case .invalidRange? = problems("web[1:3:0]\n").first?.kind,
          case .invalidRange? = problems("web[0:999999]\n").first?.kind
    else {
      Issue.record("expected invalidRange for each")
      return
    }
  }

  // MARK: Ansible INI

  func ansible() throws -> Inventory {
    try InventoryParser.parse(try fixture("ansible-hosts.ini"), file: "hosts.ini")
  }

  @Test func aliasIsTheNameAndAnsibleHostTheAddress() throws {
    let pg1 = try #require(try ansible().host(named: "pg1.example.com"))
    #expect(pg1.address == "192.0.2.21")
    #expect(pg1.user == "postgres")
    #expect(pg1.port == nil)
    #expect(pg1.groups == ["dbservers"])
    let jumper = try #require(try ansible().host(named: "jumper"))
    #expect(jumper.address == "192.0.2.50" && jumper.port == 5555)
  }

  @Test func ansibleHostsInFileOrder() throws {
    #expect(try ansible().hosts.map(\.name) == [
      "mail.example.com", "www01.example.com", "www02.example.com", "www03.example.com",
      "static.example.com", "pg1.example.com", "pg2.example.com", "jumper", "host1", "host2", "host3",
    ])
  }

  @Test func ansibleChildrenExpandNestedGroups() throws {
    let inventory = try ansible()
    #expect(inventory.host(named: "host1")?.groups == ["atlanta", "southeast", "usa"])
    #expect(inventory.host(named: "host2")?.groups == ["atlanta", "raleigh", "southeast", "usa"])
    #expect(inventory.host(named: "www02.example.com")?.groups == ["usa", "webservers"])
    #expect(inventory.host(named: "mail.example.com")?.groups == [])
  }

  @Test func groupVarsApplyAndTheDeeperGroupWins() throws {
    let inventory = try ansible()
    // atlanta (inside southeast) beats southeast; southeast beats all.
    #expect(inventory.host(named: "host1")?.user == "atl")
    #expect(inventory.host(named: "host3")?.user == "ops")
    #expect(inventory.host(named: "mail.example.com")?.user == "admin")
    #expect(inventory.host(named: "host3")?.sudo == true)
    #expect(inventory.host(named: "host3")?.identityFile == "~/.ssh/raleigh_ed25519")
  }

  @Test func hostVarsWinOverGroupVars() throws {
    let inventory = try ansible()
    #expect(inventory.host(named: "host2")?.sudo == false)
    #expect(inventory.host(named: "pg1.example.com")?.user == "postgres")
  }

  @Test func hostListedInTwoGroupsIsOneHostFromItsFirstLine() throws {
    let host2 = try ansible().hosts.filter { $0.name == "host2" }
    #expect(host2.count == 1)
    #expect(host2.first?.source == SourceLine(file: "hosts.ini", line: 16))
    #expect(host2.first?.address == "198.51.100.2")
  }

  @Test func hostColonPortInAnsible() throws {
    #expect(try ansible().host(named: "static.example.com")?.port == 2201)
  }

  @Test func ansibleRangeExpands() throws {
    #expect(try ansible().hosts.filter { $0.name.hasPrefix("www") }.count == 3)
  }

  @Test func unknownVariablesAreIgnored() throws {
    let inventory = try parse("web1 ansible_connection=ssh http_port=80 ansible_host=10.0.0.1\n")
    #expect(inventory.hosts == [InventoryHost(name: "web1", address: "10.0.0.1", source: SourceLine(file: "inventory.txt", line: 1))])
  }

  @Test func ansibleBecomeAcceptsAnsibleBooleans() throws {
    let inventory = try parse("a ansible_become=True\nb ansible_become=off\nc ansible_become=1\n")
    #expect(inventory.hosts.map(\.sudo) == [true, false, true])
  }

  @Test func explicitAnsibleFormatWithoutMarkers() throws {
    let inventory = try parse("[web]\nweb1\n", format: .ansible)
    #expect(inventory.hosts.first?.groups == ["web"])
  }

  @Test func childGroupWithNoHostsIsEmpty() throws {
    let inventory = try parse("[all:children]\nweb\nghost\n[web]\nweb1\n")
    #expect(inventory.hosts.map(\.groups) == [["web"]])
  }

  // MARK: Ansible errors

  @Test func childrenCycleIsAnError() {
    let found = problems("[a:children]\nb\n[b:children]\nc\n[c:children]\na\n[a]\nhost1\n")
    #expect(found.map(\.kind) == [.groupCycle(["a", "b", "c"])])
    #expect(found.map(\.description) == [
      "inventory.txt:6: groups include each other through [group:children]: a -> b -> c -> a; remove one of these children",
    ])
  }

  @Test func groupContainingItselfIsACycle() {
    #expect(problems("[a:children]\na\n").map(\.kind) == [.groupCycle(["a"])])
  }

  @Test func badAnsiblePortNamesTheLineThatSetIt() {
    let found = problems("[web]\nweb1\n[web:vars]\nansible_port=http\n")
    #expect(found.map(\.description) == ["inventory.txt:4: port 'http' is not a number from 1 to 65535"])
  }

  @Test func badAnsibleBecomeIsAnError() {
    #expect(problems("web1 ansible_become=perhaps\n").map(\.kind) == [.invalidBoolean(key: "ansible_become", value: "perhaps")])
  }

  @Test func emptyAnsibleHostIsAnError() {
    #expect(problems("web1 ansible_host=\n").map(\.kind) == [.emptyHost("ansible_host=")])
  }

  @Test func varsLineWithoutEqualsIsAnError() {
    #expect(problems("[web:vars]\nansible_user admin\n").map(\.kind) == [.malformedVariable("ansible_user admin")])
  }

  @Test func childrenLineWithTwoWordsIsAnError() {
    #expect(problems("[web:children]\nfront back\n").map(\.kind) == [.malformedChild("front back")])
  }

  @Test func unknownSectionModifierIsAnError() {
    #expect(problems("[web:hosts]\nweb1 ansible_host=10.0.0.1\n").map(\.kind) == [.malformedSection("[web:hosts]")])
  }
}
