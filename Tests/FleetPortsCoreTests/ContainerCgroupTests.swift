import Testing

@testable import FleetPortsCore

/// Container identity from real `/proc/<pid>/cgroup` lines. Each case quotes a capture posted
/// in a public issue (the URL beside it) or taken on the lab (lab-006's container, this
/// machine's hybrid v1 + v2 hierarchy); ids are as captured.
struct ContainerCgroupTests {
  struct Case: Sendable, CustomStringConvertible {
    var source: String
    var text: String
    var runtime: ContainerRuntime?
    var id: String?
    var pod: String?
    var description: String { source }
  }

  static let cases: [Case] = [
    // Docker, systemd driver, cgroup v2 + v1 hybrid: the lab (fleetlab.py container_of, lab-006).
    Case(
      source: "lab-006 container (hybrid v1/v2)",
      text: """
        9:name=systemd:/
        4:memory:/process_api/d3b9319c1b3e0d3455c07bde0b58b8e3
        1:cpu:/
        0::/fleetlab.slice/docker-a1cae5023dbe8417d2898a7c53fe4ddfc27bc7cfdfe854c2969c3cba6b70ecb2.scope
        """,
      runtime: .docker, id: "a1cae5023dbe8417d2898a7c53fe4ddfc27bc7cfdfe854c2969c3cba6b70ecb2"),
    // Docker, cgroupfs driver, cgroup v2 with --cgroupns=host: https://github.com/coder/coder/pull/15156
    Case(
      source: "coder/coder#15156", text: "0::/docker/aa86ac98959eeedeae0ecb6e0c9ddd8ae8b97a9d0fdccccf7ea7a474f4e0bb1f",
      runtime: .docker, id: "aa86ac98959eeedeae0ecb6e0c9ddd8ae8b97a9d0fdccccf7ea7a474f4e0bb1f"),
    // Docker, cgroupfs driver, cgroup v1 (mountinfo of a container): https://github.com/systemd/systemd/pull/17902
    Case(
      source: "systemd/systemd#17902", text: "12:name=systemd:/docker/1ebedb637aea644ece9c9eb3f93f41cbe6e5a96ce3961f665b83bd12363ab303",
      runtime: .docker, id: "1ebedb637aea644ece9c9eb3f93f41cbe6e5a96ce3961f665b83bd12363ab303"),
    // Kubernetes on Docker, systemd driver, cgroup v1: https://github.com/lxc/lxc/issues/3890
    Case(
      source: "lxc/lxc#3890",
      text: """
        12:rdma:/
        11:freezer:/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod7d4424e6_bb13_42f4_a47a_45a4828bf54d.slice/docker-d0b3604b67ac7930dd34ba3a796627e3e4717d12309e90a4afe3f38b6816ac98.scope
        """,
      runtime: .docker, id: "d0b3604b67ac7930dd34ba3a796627e3e4717d12309e90a4afe3f38b6816ac98", pod: "7d4424e6-bb13-42f4-a47a-45a4828bf54d"),
    // containerd (CRI), systemd driver, cgroup v1, colon form: https://github.com/open-telemetry/opentelemetry-java/issues/4507
    Case(
      source: "open-telemetry/opentelemetry-java#4507",
      text: """
        11:perf_event:/kubepods-besteffort-pod0125ec2f_b64a_4868_8f5b_94b56cbab864.slice:cri-containerd:ee4b20e90ac7f42a10bd004d05646b13d8ab5e2c5e7cbc01abf8006bac016459
        10:blkio:/system.slice/containerd.service/kubepods-besteffort-pod0125ec2f_b64a_4868_8f5b_94b56cbab864.slice:cri-containerd:ee4b20e90ac7f42a10bd004d05646b13d8ab5e2c5e7cbc01abf8006bac016459
        """,
      runtime: .containerd, id: "ee4b20e90ac7f42a10bd004d05646b13d8ab5e2c5e7cbc01abf8006bac016459",
      pod: "0125ec2f-b64a-4868-8f5b-94b56cbab864"),
    // containerd (CRI), systemd driver, cgroup v2 (systemd-cgls of a node): https://github.com/netdata/netdata/issues/4868
    Case(
      source: "netdata/netdata#4868",
      text:
        "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod55c6c714_b240_4dec_9a45_57b61696ab6e.slice/cri-containerd-2032491dcae31e6746f47daa0ac74564f2843a1bd847c5e6c4eb501ca132ac36.scope",
      runtime: .containerd, id: "2032491dcae31e6746f47daa0ac74564f2843a1bd847c5e6c4eb501ca132ac36",
      pod: "55c6c714-b240-4dec-9a45-57b61696ab6e"),
    // containerd under kind's kubelet.slice, cgroup v2: https://github.com/containerd/nri/pull/227
    Case(
      source: "containerd/nri#227",
      text:
        "0::/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod1e597579_417e_482f_bf65_5fe170c3aebd.slice/cri-containerd-a09bc17f5aa29b0dbdec9ede5f46cf1396d2405917ab02e6f1eb1019f388396e.scope",
      runtime: .containerd, id: "a09bc17f5aa29b0dbdec9ede5f46cf1396d2405917ab02e6f1eb1019f388396e",
      pod: "1e597579-417e-482f-bf65-5fe170c3aebd"),
    // CRI-O, systemd driver, cgroup v1: https://github.com/opencontainers/runc/issues/4620
    Case(
      source: "opencontainers/runc#4620",
      text: """
        13:freezer:/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-poda5c1f8d5_1919_434d_add7_4afaafdaef89.slice/crio-5eed917563583925ffdbd40a64efb2aaffe58638e57add8becaf460fe74f5b1c.scope
        11:files:/
        """,
      runtime: .crio, id: "5eed917563583925ffdbd40a64efb2aaffe58638e57add8becaf460fe74f5b1c", pod: "a5c1f8d5-1919-434d-add7-4afaafdaef89"),
    // Docker's daemon itself is no container (its unit is): https://github.com/liske/needrestart/issues/165
    Case(
      source: "liske/needrestart#165",
      text: """
        10:devices:/system.slice/docker.service
        8:memory:/system.slice/docker.service
        1:name=systemd:/system.slice/docker.service
        """),
    // A rootless podman pod's slice names a pod, not a container: https://github.com/alumet-dev/alumet/pull/463
    Case(
      source: "alumet-dev/alumet#463",
      text:
        "0::/user.slice/user-1049.slice/user@1049.service/user.slice/podman-pause-23c87985.scope"),
    // The lab machine's own shell: no container.
    Case(source: "this machine", text: "9:name=systemd:/\n4:memory:/process_api/d3b9319c1b3e0d3455c07bde0b58b8e3\n0::/"),
  ]

  @Test(arguments: cases) func containerFromRealCgroupFiles(_ c: Case) {
    let found = ContainerCgroup.container(c.text)
    #expect(found?.runtime == c.runtime, "\(c.source)")
    #expect(found?.id == c.id, "\(c.source)")
    #expect(found?.podUID == c.pod, "\(c.source)")
  }

  /// Path shapes documented by the runtimes, where no capture was at hand.
  @Test func podmanAndBarePaths() {
    let id = String(repeating: "ab", count: 32)
    #expect(ContainerCgroup.container("0::/machine.slice/libpod-\(id).scope")?.runtime == .podman)
    #expect(ContainerCgroup.container("/machine.slice/libpod-conmon-\(id).scope") == nil, "podman's monitor is no container")
    #expect(ContainerCgroup.container("/system.slice/docker-\(id).scope")?.id == id, "a bare path, as ss -e prints it")
    #expect(ContainerCgroup.container("/kubepods/burstable/pod0125ec2f-b64a-4868-8f5b-94b56cbab864/\(id)")?.runtime == .kubernetes)
    #expect(ContainerCgroup.container("/system.slice/docker-\(id.prefix(12)).scope") == nil, "a short id is not an id")
  }

  @Test func aHostnameNamesTheContainerUnlessItIsTheIdsPrefix() {
    let docker = ContainerIdentity(runtime: .docker, id: "1ebedb637aea644ece9c9eb3f93f41cbe6e5a96ce3961f665b83bd12363ab303")
    #expect(docker.named(byHostname: "web\n").name == "web")
    #expect(docker.named(byHostname: "1ebedb637aea").name == nil, "Docker's default hostname is the short id")
    #expect(docker.label == "docker 1ebedb637aea")
    // What a container's etc/hostname says is not a name when it is not a host name (a link
    // to another file, markup): the container stays named by its id.
    #expect(docker.named(byHostname: "root:$6$rounds=5000$abc:19000:0:99999:7:::").name == nil)
    #expect(docker.named(byHostname: "<b>web</b>").name == nil)
  }

  @Test func dockerProxyCommandLines() throws {
    let argv = "/usr/bin/docker-proxy -proto tcp -host-ip 0.0.0.0 -host-port 8080 -container-ip 172.17.0.2 -container-port 80"
    let publication = try #require(DockerProxyCommand.publication(argv.split(separator: " "), pid: 4242))
    #expect(publication.hostText == "0.0.0.0:8080" && publication.containerText == "172.17.0.2:80" && publication.proto == .tcp)
    #expect(publication.proxyPID == 4242 && publication.sources == [.dockerProxy])
    // dockerd 28 adds -use-listen-fd; Go also takes --flag and -flag=value.
    let newer = "/usr/bin/docker-proxy -proto udp -host-ip :: -host-port=5353 --container-ip fd00::2 -container-port 53 -use-listen-fd"
    let v6 = try #require(DockerProxyCommand.publication(newer.split(separator: " ")))
    #expect(v6.hostText == "[::]:5353" && v6.containerText == "[fd00::2]:53" && v6.proto == .udp)
    #expect(DockerProxyCommand.publication("/usr/bin/docker-proxy -proto tcp -host-port 8080".split(separator: " ")) == nil)
    let web = ContainerIdentity(runtime: .docker, id: nil, name: "web")
    #expect(publication.text(container: web, owners: ["nginx"]) == "host 0.0.0.0:8080 → container web 172.17.0.2:80 (nginx)")
  }
}

/// Publications read from the NAT rules alone (Docker without its userland proxy).
struct NATPublicationTests {
  @Test func dockersDNATRulesAreItsPublishedPorts() throws {
    let legacy = IptablesSaveParser.parse(try FixtureFiles.bytes("firewall/docker-like.iptables-legacy-save"), family: .ipv4)
    let found = NATPublications.publications(legacy.ruleset).map { "\($0.proto.rawValue) \($0.hostText) → \($0.containerText)" }
    #expect(found == ["tcp 0.0.0.0:8080 → 172.17.0.2:80", "tcp 0.0.0.0:8443 → 172.17.0.2:443"])
    // The same rules through iptables-nft's nft JSON.
    let nft = try NftJSONParser.parse(try FixtureFiles.bytes("firewall/docker-like.iptables-nft.nft.json"))
    let viaNft = NATPublications.publications(nft.ruleset).map { "\($0.hostPort) → \($0.containerText)" }
    #expect(Set(viaNft).isSubset(of: ["8080 → 172.17.0.2:80", "8443 → 172.17.0.2:443"]))
  }

  @Test func aFilterTableDNATlessRulesetPublishesNothing() throws {
    let ufw = IptablesSaveParser.parse(try FixtureFiles.bytes("firewall/ufw-like.iptables-nft-save"), family: .ipv4)
    #expect(NATPublications.publications(ufw.ruleset).isEmpty)
  }
}
