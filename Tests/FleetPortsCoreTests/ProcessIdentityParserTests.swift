import Testing

@testable import FleetPortsCore

/// The probe's `proc-ids` section, on captures from lab hosts and this machine (Fixtures/README.md).
@Suite struct ProcessIdentityParserTests {
  static func table(_ name: String) throws -> ProcessIdentityTable {
    ProcessIdentityParser.parse(try FixtureFiles.bytes("proc-ids/\(name).txt"))
  }

  @Test func aLabHostAsRootNamesEveryOwnerItsExecutableUserAndUnit() throws {
    let table = try Self.table("lab-001-root-ss")
    #expect(table.report.unparsedCount == 0, "\(table.report.unparsed)")
    #expect(table.ephemeralPorts == PortRange(first: 32768, last: 60999))
    let sshd = try #require(table.processes.first { $0.comm == "sshd" && $0.parentComm == "fplab-keeper" })
    #expect(sshd.executable == "/usr/sbin/sshd")
    #expect(sshd.executableDeleted == false)
    #expect(sshd.effectiveUser == "root" && sshd.realUser == "root")
    #expect(sshd.unit == "fplab-001-sshd.service")
    #expect(sshd.cgroup == "/fleetlab.slice/fplab-001-sshd.service")
    #expect(sshd.networkNamespace != nil)
    // Started after boot: btime plus ticks over CLK_TCK.
    #expect(sshd.startTime.map { $0 > 1_795_995_946 } == true)

    let stale = try #require(table.processes.first { $0.comm == "stale-daemon" })
    #expect(stale.executable == "/run/fleetports-lab/lab-001/bin/stale-daemon")
    #expect(stale.executableDeleted == true)
    #expect(stale.arguments == ["/run/fleetports-lab/lab-001/bin/stale-daemon", "infinity"])
    #expect(stale.effectiveUser == "fpuser" && stale.effectiveUID == 1001)
    #expect(stale.unit == "fplab-001-stale-daemon.service")

    // A python service that bound as root and then dropped to its user.
    let leaky = try #require(table.processes.first { $0.comm == "leaky svc" })
    #expect(leaky.effectiveUser == "fpuser")
    #expect(leaky.executable?.hasPrefix("/usr/bin/python3") == true)
  }

  @Test func lsofsPidsGiveTheSameIdentitiesAsSs() throws {
    // Each capture's own ssh session (an sshd child of the listening sshd) differs.
    let ss = try Self.table("lab-001-root-ss").processes.filter { $0.parentComm != "sshd" }
    let lsof = try Self.table("lab-001-root-lsof").processes.filter { $0.parentComm != "sshd" }
    #expect(ss.count == 5)
    let key = { (p: ProcessIdentity) in "\(p.pid) \(p.comm ?? "") \(p.executable ?? "") \(p.unit ?? "") \(p.effectiveUser ?? "")" }
    #expect(Set(ss.map(key)) == Set(lsof.map(key)))
  }

  @Test func aUserSubunitNamesTheInnermostUnit() throws {
    let table = try Self.table("lab-003-root-ss")
    let agent = try #require(table.processes.first { $0.comm == "metrics agent" })
    #expect(agent.cgroup == "/fleetlab.slice/user@1001.service/app.slice/fplab-003-metrics-agent.service")
    #expect(agent.unit == "fplab-003-metrics-agent.service")
    let redis = try #require(table.processes.first { $0.comm == "redis-server" })
    #expect(redis.effectiveUser == "nobody")
  }

  @Test func aHostileCommIsDecodedByteForByte() throws {
    let table = try Self.table("lab-007-root-netstat")
    #expect(table.report.unparsedCount == 0)
    #expect(table.processes.contains { $0.comm == "<b>\"x\"\u{1b}[31m&" })
  }

  @Test func asAnotherUserWhatTheKernelHidesIsNil() throws {
    let table = try Self.table("lab-001-fpuser-ss")
    #expect(table.processes.count == 1)
    let own = try #require(table.processes.first)
    #expect(own.comm == "stale-daemon" && own.executableDeleted == true && own.networkNamespace != nil)
    // A process whose links could not be read (no `link` lines) keeps them unknown.
    let cut = ProcessIdentityParser.parse(Array("pid 7\ncomm x\nuid 0 0\n".utf8))
    #expect(cut.processes.first?.executable == nil && cut.processes.first?.executableDeleted == nil)
    #expect(cut.processes.first?.networkNamespace == nil && cut.processes.first?.effectiveUser == nil)
  }

  @Test func thisMachinesRootCgroupHasNoUnitAndALongArgvStaysWhole() throws {
    let table = try Self.table("machine-root-ss")
    let sshd = try #require(table.processes.first)
    #expect(sshd.cgroup == "/")
    #expect(sshd.unit == nil)
    #expect(sshd.arguments?.first?.hasPrefix("sshd: /usr/sbin/sshd -D") == true)
  }

  @Test func malformedLinesAreRejectedWithTheirNumberNeverDropped() {
    let table = ProcessIdentityParser.parse(Array("comm early\npid x\npid 9\nuid a b\nlink /proc/9/cwd -> /\nephemeral 9 1\n".utf8))
    #expect(table.report.unparsedCount == 5)
    #expect(table.report.unparsed.map(\.lineNumber) == [1, 2, 4, 5, 6])
    #expect(table.processes.map(\.pid) == [9])
  }

  @Test func aLinkStatCouldNotReadIsIgnoredNotMisread() {
    let table = ProcessIdentityParser.parse(Array("pid 2\ncomm kthreadd\nlink /proc/2/exe\nlink /proc/2/ns/net -> net:[4026531840]\n".utf8))
    #expect(table.report.unparsedCount == 0 && table.report.linesIgnored == 1)
    #expect(table.processes.first?.executable == nil && table.processes.first?.networkNamespace == 4_026_531_840)
  }

  @Test func busyboxStatQuotesBothSidesOfALink() {
    let table = ProcessIdentityParser.parse(
      Array("pid 5\nlink '/proc/5/exe' -> '/bin/busybox'\nlink '/proc/5/ns/net' -> 'net:[4026531840]'\n".utf8))
    #expect(table.processes.first?.executable == "/bin/busybox")
    #expect(table.processes.first?.networkNamespace == 4_026_531_840)
  }

  @Test func escapesDecode() {
    #expect(ProcessIdentityParser.unescape("a\\134b\\012c") == "a\\b\nc")
    #expect(ProcessIdentityParser.unescape("/tmp/fp x/a\\nb") == "/tmp/fp x/a\nb")
    #expect(ProcessIdentityParser.unescape("trailing\\") == "trailing\\")
  }

  @Test func cgroupV1OnlyHostsReadTheSystemdHierarchy() {
    #expect(CgroupPath.placing(["1:name=systemd:/system.slice/nginx.service", "0::/"]) == "/system.slice/nginx.service")
    #expect(CgroupPath.unit("/system.slice/nginx.service") == "nginx.service")
    #expect(CgroupPath.unit("/user.slice/user-1000.slice/session-3.scope") == "session-3.scope")
    #expect(CgroupPath.unit("/user.slice/user-1000.slice/user@1000.service/init.scope") == "init.scope")
    #expect(CgroupPath.unit("/user.slice") == nil)
  }
}
