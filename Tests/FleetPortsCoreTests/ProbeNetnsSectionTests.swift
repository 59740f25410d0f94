import Testing

@testable import FleetPortsCore

/// The probe's `netns` section as lab host 6 printed it (Fixtures/containers/capture.sh runs the
/// probe's own fp_netns there): the host in a PID namespace of its own, a Docker-like container
/// (nginx and redis-server) behind a docker-proxy.
struct ProbeNetnsSectionTests {
  static let containerID = "a1cae5023dbe8417d2898a7c53fe4ddfc27bc7cfdfe854c2969c3cba6b70ecb2"

  @Test func asRootEveryContainerProcessAndTheProxyAreListed() throws {
    let section = ProbeNetnsSection.parse(try FixtureFiles.bytes("containers/lab-006-netns-root.out"))
    #expect(section.report.unparsedCount == 0 && section.report.linesUnderstood == section.report.linesRead)
    let reader = try #require(section.readers.first)
    #expect(section.readers.count == 1, "one container namespace")
    #expect(section.processCount == 2, "nginx and redis-server, both read through the first")
    let inode = try #require(section.inodes[reader])
    #expect(section.hostInode != nil && section.hostInode != inode)
    let container = try #require(ContainerCgroup.container(section.cgroups[reader] ?? ""))
    #expect(container.runtime == .docker && container.id == Self.containerID)
    #expect(container.named(byHostname: section.hostnames[reader] ?? "").name == "web")
    #expect(section.hiddenProcesses == 0 && section.processesInUnreadNamespaces == 0)
    let proxy = try #require(section.proxies.first)
    let publication = try #require(DockerProxyCommand.publication(proxy.arguments, pid: proxy.pid))
    #expect(publication.hostText == "0.0.0.0:8088" && publication.containerText == "172.30.6.2:80" && publication.proxyPID == proxy.pid)
  }

  @Test func asAUserOthersProcessesAreCountedHiddenNotDropped() throws {
    let section = ProbeNetnsSection.parse(try FixtureFiles.bytes("containers/lab-006-netns-fpuser.out"))
    #expect(section.report.unparsedCount == 0)
    #expect(section.readers.isEmpty && section.proxies.isEmpty)
    #expect(section.hiddenProcesses > 0, "root's processes: their namespaces are unknown")
    #expect(section.hostInode == nil, "no other namespace found: no inode asked for")
  }

  @Test func theContainersTableReadThroughItsReaderHoldsBothListeners() throws {
    let parsed = try #require(CaptureParser.parse(try FixtureFiles.bytes("containers/lab-006-netns-reader-tcp.out"), as: .procNetTCP))
    #expect(parsed.report.unparsedCount == 0)
    #expect(Set(parsed.sockets.filter(\.isListening).compactMap { $0.local?.port }) == [80, 6379])
  }

  @Test func unknownLinesAreCountedNotFatal() {
    let section = ProbeNetnsSection.parse(Array("pid 12 12\nbogus line\nns x /proc/12/ns/net\ncg 12 0::/\nhidden 0 0\n".utf8))
    #expect(section.readers == [12] && section.report.unparsedCount == 2)
  }
}
