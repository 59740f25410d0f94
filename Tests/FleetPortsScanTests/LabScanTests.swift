import FleetPortsCore
import FleetPortsSSH
import FleetPortsScan
import Foundation
import LabSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `fleetports scan` on the lab: what it finds must be exactly what the lab runs.
@Suite(.labFleet) struct LabScanTests {
  static let methods: [ProbeMethod] = [.auto, .ss, .netstat, .lsof, .proc]

  @Test(arguments: methods)
  func everyHostsListenersEqualTheTruthAsRoot(method: ProbeMethod) async throws {
    let lab = try LabFleet.forTests()
    let (results, interrupted) = try await LabScan.scanner(lab, method: method).scan(lab.hosts.map { LabScan.target($0) })
    #expect(!interrupted)
    for (host, result) in zip(lab.hosts, results) {
      let snapshot = try #require(result.snapshot, "\(host.name): \(result.failure?.message ?? "no snapshot")")
      let found = LabScan.listeners(snapshot, of: host)
      #expect(Set(found.keys) == host.listenerKeys, "\(host.name) with \(method)")
      #expect(snapshot.provenance.kernelTablesRead)
      #expect(snapshot.provenance.sections.allSatisfy { $0.linesNotUnderstood == 0 }, "\(host.name): \(snapshot.provenance.sections.filter { $0.linesNotUnderstood > 0 })")
      // Owners: ss, lsof and /proc/<pid>/fd report the kernel's comm, as the truth does.
      // (net-tools netstat prints argv[0] instead; ss is missing on the hosts without it.)
      let toolPresent = method != .ss || host.hasSS
      if method != .netstat && toolPresent && !(method == .auto && !host.hasSS) {
        #expect(snapshot.provenance.attribution == .complete, "\(host.name) with \(method)")
        for listener in host.listeners {
          let key = ListenerKey(listener)
          let names = Set(found[key]?.processes.map(\.name) ?? [])
          #expect(names.contains(listener.process), "\(host.name) \(key) with \(method): owners \(names)")
        }
      }
      if method == .auto {
        #expect(snapshot.provenance.method == (host.hasSS ? .ss : .netstat), "\(host.name): auto chose \(String(describing: snapshot.provenance.method))")
      }
      #expect(snapshot.meta.hostname == host.name)
    }
  }

  @Test(arguments: [ProbeMethod.auto, .proc])
  func anUnprivilegedUserStillSeesEveryListener(method: ProbeMethod) async throws {
    let lab = try LabFleet.forTests()
    let targets = lab.hosts.map { LabScan.target($0, user: lab.unprivilegedUser) }
    let (results, _) = try await LabScan.scanner(lab, method: method).scan(targets)
    for (host, result) in zip(lab.hosts, results) {
      let snapshot = try #require(result.snapshot, "\(host.name): \(result.failure?.message ?? "no snapshot")")
      #expect(Set(LabScan.listeners(snapshot, of: host).keys) == host.listenerKeys, "\(host.name) as \(lab.unprivilegedUser)")
      #expect(!snapshot.provenance.isRoot)
      #expect(snapshot.provenance.attribution != .complete, "\(host.name): attribution must be marked partial")
      // Services that dropped root are not dumpable, so even their own user cannot read
      // their /proc/<pid>/fd: owners go missing, but an owner that is shown must be right.
      for listener in host.listeners {
        let key = ListenerKey(listener)
        let names = Set(LabScan.listeners(snapshot, of: host)[key]?.processes.map(\.name) ?? [])
        #expect(names.isSubset(of: [listener.process]), "\(host.name) \(key): \(names)")
      }
    }
  }

  @Test func countersUnixModesAndCloseWaitMatchTheTruth() async throws {
    let lab = try LabFleet.forTests()
    let (results, _) = try await LabScan.scanner(lab).scan(lab.hosts.map { LabScan.target($0) })
    for (host, result) in zip(lab.hosts, results) {
      let snapshot = try #require(result.snapshot)
      for unix in host.unixSockets {
        let mode = snapshot.unixSocketModes.first { $0.path == unix.path }
        #expect(mode?.mode == String(unix.mode.drop { $0 == "0" }), "\(host.name) \(unix.path)")
        #expect(mode?.isWorldWritable == unix.isWorldWritable)
        #expect(snapshot.listeners.contains { $0.unix?.path == unix.path })
      }
      #expect(snapshot.sockets.filter { $0.state == .closeWait }.count == host.closeWait, "\(host.name)")
      if host.listenOverflow { #expect((snapshot.counters.listenOverflows ?? 0) > 0, "\(host.name)") }
      #expect(snapshot.addresses.contains { $0.address.description == host.ipv4 }, "\(host.name) addresses \(snapshot.addresses)")
    }
  }
}
