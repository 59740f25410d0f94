import FleetPortsCore
import FleetPortsScan
import Foundation
import LabSupport
import Testing

/// Issue 18 on the lab: who owns each listener, read by the probe's identity section, is the
/// same whatever tool found the socket, and equals the truth (lab/fleetlab.py `owners_plan`).
@Suite(.labFleet) struct OwnerLabTests {
  /// Every method, each as the host's only tool: ss is missing on some hosts (i % 7 == 0),
  /// where `--method ss` has no owners to name.
  static let methods: [ProbeMethod] = [.ss, .netstat, .lsof, .proc]

  /// The analysed listener the truth names, by its key.
  static func listener(_ truth: LabListener, in listeners: [Listener]) -> Listener? {
    listeners.first { ListenerKey($0.socket) == ListenerKey(truth) }
  }

  @Test(arguments: methods)
  func asRootEveryOwnerIsTheTruthsWhateverTheMethod(method: ProbeMethod) async throws {
    let lab = try LabFleet.forTests()
    let (results, _) = try await LabScan.scanner(lab, method: method).scan(lab.hosts.map { LabScan.target($0) })
    var checked = 0
    for (host, result) in zip(lab.hosts, results) {
      let snapshot = try #require(result.snapshot, "\(host.name): \(result.failure?.message ?? "no snapshot")")
      if method == .ss && !host.hasSS { continue }  // no ss: no owners at all, nothing to name
      // The host's own namespace: containers' listeners are ContainerLabTests' to check.
      let listeners = Listener.all(in: snapshot).filter { $0.netns == nil }
      for truth in host.listeners {
        let owner = try #require(truth.owner, "truth.json without owners: lab/fleetlab.py too old")
        let found = try #require(Self.listener(truth, in: listeners), "\(host.name) \(ListenerKey(truth)) with \(method): not found")
        let identities = found.owners ?? []
        let context = "\(host.name) \(ListenerKey(truth)) with \(method)"
        #expect(identities.count == 1, "\(context): owners \(identities.map(\.pid))")
        guard let identity = identities.first else { continue }
        #expect(identity.comm == owner.comm, "\(context)")
        #expect(found.ownerNames == [owner.comm], "\(context): shown as \(found.ownerNames)")
        #expect(identity.executable == owner.executable, "\(context)")
        #expect(identity.executableDeleted == owner.deleted, "\(context)")
        #expect(identity.effectiveUser == owner.user, "\(context)")
        #expect(found.user == owner.user, "\(context): user shown \(found.user ?? "nil")")
        #expect(identity.unit == owner.unit, "\(context): cgroup \(identity.cgroupLines)")
        #expect(identity.networkNamespace != nil, "\(context)")
        #expect(identity.startTime.map { abs($0 - Int64(Date().timeIntervalSince1970)) < 3600 } == true, "\(context)")
        #expect(identity.arguments?.isEmpty == false, "\(context)")
        // Services bind as root and then drop: the socket's own user is kept beside.
        if owner.user != "root" { #expect(found.socketUser == "root", "\(context)") }
        checked += 1
      }
      let deleted = host.listeners.filter { $0.owner?.deleted == true }
      let findings = ExposureAnalysis.analyze([result], policy: nil, today: PolicyDate.epoch).findings.filter {
        $0.ruleID == "deleted-executable"
      }
      #expect(findings.count == (deleted.isEmpty ? 0 : 1), "\(host.name) with \(method): \(findings.map(\.evidence))")
      if let finding = findings.first, let truth = deleted.first { #expect(finding.socket?.port == UInt16(truth.port)) }
      // The UDP client socket is shown apart, never among the listeners.
      let clients = Listener.udpClients(in: snapshot)
      #expect(clients.map(\.ownerNames) == (host.udpClients ?? []).map { [$0.process] }, "\(host.name) with \(method)")
      #expect(Set(listeners.compactMap { ListenerKey($0.socket) }) == host.listenerKeys, "\(host.name) with \(method)")
    }
    #expect(checked > 0)
  }

  @Test(arguments: [ProbeMethod.ss, .proc])
  func asAnUnprivilegedUserWhatIsReadIsRightAndTheRestUnknown(method: ProbeMethod) async throws {
    let lab = try LabFleet.forTests()
    let targets = lab.hosts.map { LabScan.target($0, user: lab.unprivilegedUser) }
    let (results, _) = try await LabScan.scanner(lab, method: method).scan(targets)
    for (host, result) in zip(lab.hosts, results) {
      let snapshot = try #require(result.snapshot, "\(host.name): \(result.failure?.message ?? "no snapshot")")
      if method == .ss && !host.hasSS { continue }
      #expect(snapshot.ephemeralPorts == PortRange(first: 32768, last: 60999), "\(host.name)")
      // The host's own namespace: containers' listeners are ContainerLabTests' to check.
      let listeners = Listener.all(in: snapshot).filter { $0.netns == nil }
      for truth in host.listeners {
        let owner = try #require(truth.owner)
        let found = try #require(Self.listener(truth, in: listeners), "\(host.name) \(ListenerKey(truth))")
        // Services that dropped root are not dumpable: their fds, exe and namespace are closed
        // to every other user. What was read must be right; nothing may be made up.
        for identity in found.owners ?? [] {
          let context = "\(host.name) \(ListenerKey(truth)) as \(lab.unprivilegedUser)"
          #expect(identity.comm == owner.comm, "\(context)")
          if let user = identity.effectiveUser { #expect(user == owner.user, "\(context)") }
          if let executable = identity.executable { #expect(executable == owner.executable, "\(context)") }
          if let unit = identity.unit { #expect(unit == owner.unit, "\(context)") }
        }
        if found.owners == nil { #expect(found.processUser == nil && found.socketUser == nil) }
      }
      // The probe's own processes are the user's: their identity is all there, executable too.
      let own = (snapshot.processes ?? []).filter { $0.effectiveUser == lab.unprivilegedUser }
      for identity in own { #expect(identity.executable != nil && identity.networkNamespace != nil, "\(host.name) pid \(identity.pid)") }
    }
  }
}
