import FleetPortsCore
import FleetPortsSSH
import FleetPortsScan
import Foundation
import LabSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Scans through the lab's bastion (lab-001) into a network the controller cannot reach:
/// ProxyJump from the lab ssh_config (one hop and two), ProxyCommand, and the failures a
/// user must be told about (a dead jump host, a jump host with an unknown key, a failing
/// ProxyCommand).
@Suite(.labFleet) struct BastionLabTests {
  /// A scan of `names` as `fleetports scan` plans it: the lab ssh_config and known_hosts.
  static func scan(
    _ names: [String], lab: LabFleet, knownHosts: String? = nil, channelsPerJump: Int = JumpPool.defaultChannelsPerJump
  ) async throws -> (plan: [ScanTarget], hosts: [HostResult]) {
    let dir = try LabScan.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let inventory = dir + "/inner.txt"
    try (names.joined(separator: "\n") + "\n").write(toFile: inventory, atomically: true, encoding: .utf8)
    let request = ScanRequest(
      inventory: inventory, timeoutSeconds: 20, user: "root", identities: [lab.identityPath], sshConfig: lab.sshConfigPath,
      knownHosts: knownHosts ?? lab.knownHostsPath, noAgent: true, channelsPerJump: channelsPerJump)
    let plan = try ScanInputs.load(request, home: dir, environment: ["USER": "root"])
    guard case .fleet(let scanner, let targets, let refused) = plan.source else { throw LabFleetError("not a fleet plan") }
    #expect(refused.isEmpty, "\(refused.map { $0.failure?.message ?? "" })")
    let (hosts, _) = await scanner.scan(targets)
    return (targets, hosts)
  }

  @Test func innerAndTwoHopHostsEqualTheTruth() async throws {
    let lab = try LabFleet.forTests()
    let bastion = try LabBastion.of(lab)
    let (targets, results) = try await Self.scan(bastion.hosts.map(\.name), lab: lab)
    for (host, (target, result)) in zip(bastion.hosts, zip(targets, results)) {
      // The route is the one ssh would take: lab-911's jump host lab-901 brings its own ProxyJump.
      guard case .jump(let hops) = target.route else {
        Issue.record("\(host.name): route \(target.route)")
        continue
      }
      #expect(hops.map(\.name) == bastion.jumps[host.name], "\(host.name)")
      let snapshot = try #require(result.snapshot, "\(host.name): \(result.failure?.message ?? "no snapshot")")
      #expect(Set(LabScan.listeners(snapshot, of: host).keys) == host.listenerKeys, "\(host.name)")
      #expect(snapshot.meta.hostname == host.name)
    }
    #expect(bastion.hosts.contains { bastion.jumps[$0.name]?.count == 2 }, "the lab has a host two hops deep")
  }

  @Test func theControllerCannotReachTheInnerHostsDirectly() throws {
    let lab = try LabFleet.forTests()
    let bastion = try LabBastion.of(lab)
    for host in bastion.hosts {
      let route = try ChildProcess.run(["/usr/sbin/ip", "route", "get", host.ipv4], timeout: .seconds(10))
      #expect(route.status != 0 || route.stdoutText.contains("unreachable"), "\(host.name): \(route.stdoutText) \(route.stderrText)")
      // A real connect fails at once: no route, nothing leaves the machine.
      var address = sockaddr_in()
      address.sin_family = sa_family_t(AF_INET)
      address.sin_port = in_port_t(UInt16(22).bigEndian)
      inet_pton(AF_INET, host.ipv4, &address.sin_addr)
      let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
      defer { close(fd) }
      var limit = timeval(tv_sec: 3, tv_usec: 0)
      setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
      let rc = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
      }
      let code = errno
      #expect(rc != 0 && [ENETUNREACH, EHOSTUNREACH].contains(code), "\(host.name): connect rc \(rc) errno \(code)")
    }
  }

  @Test func aDeadJumpHostIsNamedInTheRow() async throws {
    let lab = try LabFleet.forTests()
    let bastion = try LabBastion.of(lab)
    let (_, results) = try await Self.scan([bastion.aliases.behindDeadJump], lab: lab)
    let failure = try #require(results.first?.failure)
    #expect(failure.code == .jumpHostFailed)
    #expect(failure.message.contains("jump host \(bastion.aliases.deadJump)"), "\(failure.message)")
    #expect(failure.message.contains("connection refused"), "\(failure.message)")
  }

  @Test func aJumpHostWithAnUnknownKeyFailsEveryHostBehindIt() async throws {
    let lab = try LabFleet.forTests()
    let bastion = try LabBastion.of(lab)
    let dir = try LabScan.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    // The lab's known_hosts without the bastion's keys: the inner hosts' keys are still known.
    let lines = try String(contentsOfFile: lab.knownHostsPath, encoding: .utf8).split(separator: "\n")
    let withoutBastion = lines.filter { !$0.hasPrefix(bastion.bastion + ",") }.joined(separator: "\n") + "\n"
    try withoutBastion.write(toFile: dir + "/known_hosts", atomically: true, encoding: .utf8)
    let names = bastion.hosts.map(\.name)
    let (_, results) = try await Self.scan(names, lab: lab, knownHosts: dir + "/known_hosts")
    for (name, result) in zip(names, results) {
      let failure = try #require(result.failure, "\(name) must not be scanned through an unverified bastion")
      #expect(failure.code == .jumpHostFailed, "\(name): \(failure.message)")
      #expect(
        failure.message.contains("jump host \(bastion.bastion)") && failure.message.contains("host key unknown"),
        "\(name): \(failure.message)")
    }
  }

  @Test func oneChannelAtATimeQueuesInsteadOfFailing() async throws {
    let lab = try LabFleet.forTests()
    let bastion = try LabBastion.of(lab)
    let names = bastion.hosts.map(\.name)
    let (_, results) = try await Self.scan(names, lab: lab, channelsPerJump: 1)
    for (name, result) in zip(names, results) {
      #expect(result.status == .ok, "\(name): \(result.failure?.message ?? "")")
    }
  }

  @Test func aTargetTheBastionCannotReachDoesNotHoldUpTheOthers() async throws {
    let lab = try LabFleet.forTests()
    let bastion = try LabBastion.of(lab)
    // A firewall that drops SYNs to a port: the bastion's sshd waits minutes for its connect,
    // and libssh2 opens one channel at a time, so the others would wait behind it.
    let dropping = try #require(lab.hosts.first { $0.firewall?.expect["tcp/5432"] == "blocked" })
    let hub = try #require(lab.host(named: bastion.bastion))
    let hop = JumpHop(name: hub.name, address: hub.ipv4, port: 22, user: "root")
    let inner = bastion.hosts.filter { bastion.jumps[$0.name] == [bastion.bastion] }
    let targets =
      [ScanTarget(name: "dropped", address: dropping.ipv4, port: 5432, user: "root", identityFile: nil, groups: [], sudo: false, route: .jump([hop]))]
      + inner.map { ScanTarget(name: $0.name, address: $0.ipv4, port: 22, user: "root", identityFile: nil, groups: [], sudo: false, route: .jump([hop])) }
    var scanner = try LabScan.scanner(lab, timeout: .seconds(4))
    scanner.parallel = targets.count
    let clock = ContinuousClock()
    let start = clock.now
    let (results, _) = await scanner.scan(targets)
    #expect(results[0].failure?.code == .timeout(phase: "connect"), "\(results[0].failure?.message ?? "")")
    for result in results.dropFirst() { #expect(result.status == .ok, "\(result.name): \(result.failure?.message ?? "")") }
    #expect(clock.now - start < .seconds(30))
  }

  @Test func aProxyCommandRouteScansTheHost() async throws {
    let lab = try LabFleet.forTests()
    let bastion = try LabBastion.of(lab)
    let (targets, results) = try await Self.scan([bastion.aliases.proxyCommand], lab: lab)
    guard case .command(let line, _) = try #require(targets.first).route else {
      Issue.record("not a ProxyCommand route: \(String(describing: targets.first?.route))")
      return
    }
    #expect(line.contains("-W 10.201.") && line.hasPrefix("exec "), "the host pasted as ssh pastes it: \(line)")
    let snapshot = try #require(results.first?.snapshot, "\(results.first?.failure?.message ?? "")")
    let host = try #require(bastion.hosts.first { $0.ipv4 == targets.first?.address })
    #expect(Set(LabScan.listeners(snapshot, of: host).keys) == host.listenerKeys)
  }

  @Test func aFailingProxyCommandPutsItsStderrInTheRow() async throws {
    let lab = try LabFleet.forTests()
    let bastion = try LabBastion.of(lab)
    let (_, results) = try await Self.scan([bastion.aliases.failingProxyCommand], lab: lab)
    let failure = try #require(results.first?.failure)
    #expect(failure.code == .proxyCommandFailed, "\(failure.message)")
    #expect(failure.message.contains("exit status 255"), "\(failure.message)")
    #expect(failure.message.contains("port 2: Connection refused"), "\(failure.message)")
  }
}
