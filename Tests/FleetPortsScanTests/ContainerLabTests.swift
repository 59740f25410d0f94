import FleetPortsCore
import FleetPortsScan
import Foundation
import LabSupport
import Testing

/// Listeners in every network namespace, on the lab: each host runs in a PID namespace of its
/// own, and hosts with i % 12 == 6 run a Docker-like container (lab/fleetlab.py `container_of`).
/// Every container listener must be found with its container's id and name, the published
/// port joined to the listener behind it, and nothing seen from another host's namespaces.
@Suite(.labFleet) struct ContainerLabTests {
  /// The container network namespaces lab/run/NAME/containers.json recorded at lab up.
  struct Recorded: Decodable {
    var name: String
    var id: String
    var netns: UInt64
  }

  static func recorded(_ lab: LabFleet, _ host: LabHost) throws -> [Recorded] {
    let path = lab.runPath + "/" + host.name + "/containers.json"
    guard FileManager.default.fileExists(atPath: path) else { return [] }
    return try JSONDecoder().decode([Recorded].self, from: Data(contentsOf: URL(fileURLWithPath: path)))
  }

  @Test(arguments: [ProbeMethod.auto, .proc])
  func everyContainerListenerIsFoundWithItsContainerAndPublication(method: ProbeMethod) async throws {
    let lab = try LabFleet.forTests()
    #expect(lab.hosts.contains { !($0.containers ?? []).isEmpty }, "the lab has a container (host 6): run it with 8 hosts or more")
    let (results, _) = try await LabScan.scanner(lab, method: method).scan(lab.hosts.map { LabScan.target($0) })
    for (host, result) in zip(lab.hosts, results) {
      let snapshot = try #require(result.snapshot, "\(host.name): \(result.failure?.message ?? "no snapshot")")
      let recorded = try Self.recorded(lab, host)
      let listeners = Listener.all(in: snapshot)
      let inContainers = listeners.filter { $0.netns != nil }
      // Nothing from another host: the only other namespaces are this host's own containers'.
      #expect(Set(inContainers.compactMap(\.netns)) == Set(recorded.map(\.netns)), "\(host.name): namespaces \(inContainers.map(\.text))")
      #expect(snapshot.namespaces?.namespaces.map(\.inode).sorted() == recorded.map(\.netns).sorted(), "\(host.name)")
      #expect(snapshot.namespaces?.hiddenProcesses == 0, "\(host.name): as root every namespace is readable")
      #expect(snapshot.provenance.sections.allSatisfy { $0.linesNotUnderstood == 0 }, "\(host.name)")
      for container in host.containers ?? [] {
        let netns = try #require(recorded.first { $0.id == container.id }?.netns, "\(host.name): \(container.name) not recorded")
        for truth in container.listeners {
          let found = try #require(
            inContainers.first {
              $0.netns == netns && $0.proto.rawValue == truth.proto && $0.port == UInt16(truth.port) && $0.bind == truth.address
            },
            "\(host.name): \(truth.process) on \(truth.proto) \(truth.address):\(truth.port) in \(container.name) not found")
          #expect(
            found.container?.id == container.id && found.container?.runtime.rawValue == container.runtime, "\(host.name) \(found.text)")
          #expect(found.container?.name == container.name, "\(host.name) \(found.text): named \(found.container?.label ?? "-")")
          #expect(found.ownerNames == [truth.process], "\(host.name) \(found.text) with \(method)")
          // The owner's identity is read too: its executable, its user, its unit (the container's scope).
          let identity = found.owners?.first
          #expect(identity?.executable != nil && found.user == truth.user, "\(host.name) \(found.text): \(String(describing: identity))")
          #expect(identity?.unit == "docker-\(container.id).scope", "\(host.name) \(found.text): unit \(identity?.unit ?? "-")")
          if let published = truth.published {
            let publication = try #require(found.publications.first, "\(host.name) \(found.text): no publication joined")
            #expect(publication.hostPort == UInt16(published.hostPort) && publication.hostAddress == published.hostIP)
            #expect(publication.containerAddress == published.containerIP && publication.containerPort == UInt16(truth.port))
            // The docker-proxy's command line and the DNAT rule both show it: one publication.
            #expect(Set(publication.sources) == [.dockerProxy, .dnat], "\(host.name): sources \(publication.sources)")
            #expect(
              found.reach?.reach == .privateNetwork && found.exposure?.kind == .open,
              "\(host.name) \(found.text): \(found.reach?.basis ?? "-")")
            let text =
              "host \(published.hostIP):\(published.hostPort) → container \(container.name) \(published.containerIP):\(truth.port) (\(truth.process))"
            #expect(found.publicationTexts == [text])
            let proxy = listeners.first { $0.netns == nil && $0.port == UInt16(published.hostPort) }
            #expect(
              proxy?.ownerNames == ["docker-proxy"] && proxy?.publications == [publication], "the host side carries the same publication")
          } else {
            #expect(
              found.publications.isEmpty && found.reach?.reach == .containerNetwork,
              "\(host.name) \(found.text): \(found.reach?.basis ?? "-")")
            #expect(found.exposure == nil, "nothing from outside reaches an unpublished container listener")
          }
        }
        #expect(
          inContainers.filter { $0.netns == netns && $0.proto.hasPorts }.count == container.listeners.count,
          "\(host.name): \(inContainers.map(\.text))")
      }
    }
  }

  /// The finding names the container; the unpublished redis inside it is no datastore finding.
  @Test func thePublishedContainerListenerIsAFindingNamingItsContainer() async throws {
    let lab = try LabFleet.forTests()
    let (results, _) = try await LabScan.scanner(lab).scan(lab.hosts.map { LabScan.target($0) })
    let analysis = ExposureAnalysis.analyze(results, policy: nil, today: PolicyDate("2025-06-01")!)
    for host in lab.hosts {
      let mine = analysis.findings.filter { $0.host == host.name && $0.ruleID == "container-listener-published" }
      let published = (host.containers ?? []).flatMap { container in
        container.listeners.filter { $0.published != nil }.map { (container, $0) }
      }
      #expect(mine.count == published.count, "\(host.name): \(mine.map(\.title))")
      for (container, listener) in published {
        let finding = try #require(mine.first { $0.socket?.port == UInt16(listener.port) })
        #expect(
          finding.title.contains(
            "Container \(container.name) published on host \(listener.published?.hostIP ?? ""):\(listener.published?.hostPort ?? 0)"),
          "\(finding.title)")
        #expect(finding.evidence.contains(container.id.prefix(12)) && finding.evidence.contains("docker-proxy"), "\(finding.evidence)")
      }
      let redis = analysis.findings.filter { $0.host == host.name && $0.ruleID == "datastore-exposed" && $0.evidence.contains("container") }
      #expect(redis.isEmpty, "an unpublished container datastore is reachable only from the host: \(redis.map(\.evidence))")
    }
  }

  /// As a user who may not inspect root's processes, the container's namespace is unknown, not empty.
  @Test func anUnprivilegedUserIsToldTheContainersAreUnknown() async throws {
    let lab = try LabFleet.forTests()
    let hosts = lab.hosts.filter { !($0.containers ?? []).isEmpty }
    let (results, _) = try await LabScan.scanner(lab).scan(hosts.map { LabScan.target($0, user: lab.unprivilegedUser) })
    for (host, result) in zip(hosts, results) {
      let snapshot = try #require(result.snapshot)
      #expect(!snapshot.sockets.contains { $0.netns != nil }, "\(host.name)")
      #expect((snapshot.namespaces?.hiddenProcesses ?? 0) > 0, "\(host.name): root's processes are hidden from fpuser")
      #expect(
        snapshot.provenance.problems.contains { $0.contains("not readable (not root)") }, "\(host.name): \(snapshot.provenance.problems)")
    }
  }
}
