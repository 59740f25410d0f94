import FleetPortsCore
import Testing

/// Reach classes and service identification on their own.
@Suite struct AnalysisReachAndServiceTests {
  static func address(_ text: String, _ interface: String = "eth0") -> InterfaceAddress {
    InterfaceAddress(interface: interface, address: HostAddress.parse(Substring(text)), prefixLength: nil)
  }

  @Test(arguments: [
    ("127.0.0.1", ReachClass.loopback), ("::1", .loopback), ("10.1.2.3", .privateNetwork), ("172.16.0.1", .privateNetwork),
    ("192.168.1.1", .privateNetwork), ("100.64.0.1", .privateNetwork), ("100.128.0.1", .public), ("fd00::1", .privateNetwork),
    ("fc00::1", .privateNetwork), ("fe80::1", .linkLocal), ("169.254.1.1", .linkLocal), ("8.8.8.8", .public), ("2001:db8::1", .public),
  ])
  func literalAddresses(text: String, reach: ReachClass) {
    #expect(ListenerReach.classify(HostAddress.parse(Substring(text)), hostAddresses: []) == reach)
  }

  @Test func wildcardsResolveAgainstTheRightFamilies() {
    let host = [Self.address("127.0.0.1", "lo"), Self.address("10.0.0.5"), Self.address("2001:db8::5")]
    #expect(ListenerReach.classify(.wildcard(.ipv4), hostAddresses: host) == .privateNetwork)
    #expect(ListenerReach.classify(.wildcard(.ipv6), hostAddresses: host) == .public)
    #expect(ListenerReach.assess(.wildcard(.ipv6), hostAddresses: host, v6Only: true).reach == .public)
    #expect(ListenerReach.classify(.wildcard(nil), hostAddresses: host) == .public)
    let v4Public = [Self.address("203.0.113.7"), Self.address("fd00::7")]
    #expect(ListenerReach.assess(.wildcard(.ipv6), hostAddresses: v4Public, v6Only: true).reach == .privateNetwork)
    #expect(ListenerReach.assess(.wildcard(.ipv6), hostAddresses: v4Public).reach == .public)
  }

  @Test func aWildcardOnAHostWithoutKnownAddressesIsPublicAndSaysSo() {
    let assessed = ListenerReach.assess(.wildcard(.ipv4), hostAddresses: [])
    #expect(assessed.reach == .public)
    #expect(assessed.basis.contains("no known IPv4 addresses"))
  }

  static func socket(_ proto: SocketProtocol = .tcp, port: UInt16, processes: [String]) -> SocketRecord {
    SocketRecord(
      proto: proto, state: proto == .tcp ? .listen : .unconnected, local: Endpoint(address: .wildcard(.ipv4), port: port),
      processes: processes.map { OwningProcess(name: $0, pid: 1, fd: 3) })
  }

  @Test func theProcessNameWinsOverThePort() {
    #expect(ServiceIdentifier.identify(Self.socket(port: 5432, processes: ["nginx"]))?.service.name == "nginx")
    #expect(ServiceIdentifier.identify(Self.socket(port: 5433, processes: ["postgres"]))?.service.name == "postgres")
    #expect(ServiceIdentifier.identify(Self.socket(port: 5432, processes: ["my-app"])) == nil)
    #expect(ServiceIdentifier.identify(Self.socket(port: 15432, processes: ["postmaster"]))?.basis == .process)
  }

  @Test func thePortAloneOnlyWithoutAnOwnerOrUnderAGenericRuntime() {
    let bare = ServiceIdentifier.identify(Self.socket(port: 5432, processes: []))
    #expect(bare?.service.name == "postgres" && bare?.basis == .port)
    let java = ServiceIdentifier.identify(Self.socket(port: 9200, processes: ["java"]))
    #expect(java?.service.name == "elasticsearch" && java?.basis == .runtimeAndPort)
    #expect(ServiceIdentifier.identify(Self.socket(.udp, port: 123, processes: ["python3"]))?.service.name == "ntp")
  }

  @Test func dockerdAndKubeletAreAdminAPIsOnlyOnTheirPorts() {
    #expect(ServiceIdentifier.identify(Self.socket(port: 2375, processes: ["dockerd"]))?.service.name == "docker-api")
    #expect(ServiceIdentifier.identify(Self.socket(port: 7946, processes: ["dockerd"])) == nil)
    #expect(ServiceIdentifier.identify(Self.socket(port: 10250, processes: ["kubelet"]))?.service.category == .adminAPI)
  }

  @Test func processTitlesAndTruncatedNamesStillMatch() {
    #expect(ServiceIdentifier.identify(Self.socket(port: 22, processes: ["sshd: /usr/sb"]))?.service.name == "ssh")
    #expect(ServiceIdentifier.identify(Self.socket(port: 8123, processes: ["clickhouse-serv"]))?.service.name == "clickhouse")
  }
}
