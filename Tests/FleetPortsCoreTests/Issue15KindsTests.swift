import FleetPortsCore
import Foundation
import Testing

/// Issue 15: every layout people capture, no socket dropped or mislabelled. `cases/` are the
/// shared cases (one per kind, right values from their `.expect`); `issue15/` are real captures
/// of this machine (capture15.sh) and a few inputs written from the tools' printing source
/// (`WRITTEN` in the name). Fixtures/README.md gives each one's provenance.
@Suite struct Issue15KindsTests {
  func parse(_ path: String, options: ParseOptions = ParseOptions()) throws -> SocketParse {
    let bytes = try FixtureFiles.bytes(path)
    return try #require(CaptureParser.parse(bytes, options: options), "\(path) not recognised")
  }

  func socket(_ parsed: SocketParse, _ port: UInt16, _ proto: SocketProtocol? = nil) throws -> SocketRecord {
    try #require(parsed.sockets.first { $0.local?.port == port && (proto == nil || $0.proto == proto) })
  }

  // MARK: 1. lsof -F with any field subset

  @Test func lsofFieldsWithoutFdOrStateKeepEverySocket() throws {
    let parsed = try parse("cases/lsof-F-no-fd-no-state.out")
    #expect(parsed.format == .lsofFields)
    #expect(parsed.sockets.count == 3)
    let nginx = try socket(parsed, 80, .tcp)
    #expect(nginx.processes == [OwningProcess(name: "nginx", pid: 4101, fd: nil)])
    #expect(nginx.local?.address == .wildcard(.ipv4))
    #expect(nginx.state == nil && nginx.dataLoss.contains(.stateUnknown))
    #expect(nginx.isListening, "a TCP socket bound with no peer and no state shown counts as listening")
    let dns = parsed.sockets.filter { $0.local?.port == 53 }
    #expect(Set(dns.map(\.proto)) == [.tcp, .udp])
    #expect(dns.allSatisfy { $0.local?.address == .ipv4(IPv4Address(127, 0, 0, 1)) && $0.processes.first?.name == "unbound" })
    #expect(dns.first { $0.proto == .udp }?.state == .unconnected)
  }

  @Test func lsofFieldsWithoutTypeProtocolOrStateKeepSocketsAsUnknown() throws {
    let parsed = try parse("cases/lsof-F-pcfn-no-type.out")
    #expect(parsed.sockets.count == 3)
    #expect(parsed.sockets.map { $0.processes.first?.fd } == [6, 5, 6])
    #expect(parsed.sockets.map { $0.processes.first?.pid } == [4101, 4177, 4177])
    #expect(parsed.sockets.allSatisfy { $0.proto == .unknown && $0.dataLoss.isSuperset(of: [.protocolUnknown, .stateUnknown]) })
    #expect(parsed.sockets[2].local?.address == .ipv6(IPv6Address(high: 0, low: 1)))
    #expect(parsed.report.notes.contains { $0.contains("no P (protocol)") })
  }

  @Test func everyRealFieldSubsetFindsTheSameSeventeenSockets() throws {
    // lsof -i -nP -T qs of the same moment lists 17 sockets (one row each).
    let columns = try parse("issue15/lsof-i-nP-Tqs.out")
    #expect(columns.sockets.count == 17)
    for subset in ["FpctPn", "Fpcfn", "Fpcn", "F0pcfn", "FpcftnT", "FpcfPn"] {
      let parsed = try parse("issue15/lsof-i-nP-\(subset).out")
      #expect(parsed.format == .lsofFields, "\(subset)")
      #expect(parsed.sockets.count == 17, "\(subset): \(parsed.sockets.count) sockets")
      #expect(parsed.report.unparsedCount == 0, "\(subset): \(parsed.report.unparsed.prefix(2))")
      #expect(Set(parsed.sockets.compactMap { $0.local?.port }) == Set(columns.sockets.compactMap { $0.local?.port }), "\(subset)")
    }
    #expect(try parse("issue15/lsof-i-nP-F0pcfn.out").sockets == parse("issue15/lsof-i-nP-Fpcfn.out").sockets)
    let noP = try parse("issue15/lsof-i-nP-FpcftnT.out")
    let accepted = try #require(noP.sockets.first { $0.receiveQueue == 517 })
    #expect(accepted.state == .established && accepted.local?.port == 80)
    let typed = try parse("issue15/lsof-i-nP-FpcfPn.out")
    #expect(typed.sockets.filter { $0.proto == .udp }.count == 4)
    #expect(try socket(typed, 631).family != nil)
  }

  // MARK: 2. Extra text inside or after a field

  @Test func lsofQueueSizesInTheStateParenthesis() throws {
    let parsed = try parse("cases/lsof-T-qs.out")
    #expect(parsed.report.unparsedCount == 0)
    let listener = try socket(parsed, 80)
    #expect(listener.state == .listen && listener.receiveQueue == 0 && listener.sendQueue == 0)
    #expect(listener.processes == [OwningProcess(name: "nginx", pid: 4101, fd: 6)])
    let established = try #require(parsed.sockets.first { $0.state == .established })
    #expect(established.peer == Endpoint(address: .ipv4(IPv4Address(198, 51, 100, 23)), port: 51234))
    #expect(established.sendQueue == 517 && established.processes.first?.fd == 9)
  }

  @Test func realLsofTqsTfqsAndTq() throws {
    for name in ["Tqs", "Tfqs"] {
      let parsed = try parse("issue15/lsof-i-nP-\(name).out")
      #expect(parsed.report.unparsedCount == 0)
      #expect(parsed.sockets.count == 17)
      let accepted = try #require(parsed.sockets.first { $0.receiveQueue == 517 })
      #expect(accepted.state == .established && accepted.local?.port == 80)
      let chrony = try socket(parsed, 323)
      #expect(chrony.proto == .udp && chrony.state == .unconnected && chrony.sendQueue == 0)
    }
    // -T q: queues but no state: TCP state unknown, listeners still count.
    let queuesOnly = try parse("issue15/lsof-i-nP-Tq.out")
    let ssh = try socket(queuesOnly, 22)
    #expect(ssh.state == nil && ssh.dataLoss.contains(.stateUnknown) && ssh.isListening)
    #expect(queuesOnly.sockets.first { $0.receiveQueue == 517 }?.isListening == false)
    let fields = try parse("issue15/lsof-i-nP-F0-Tqs.out")
    #expect(fields.sockets.count == 17 && fields.sockets.contains { $0.receiveQueue == 517 && $0.state == .established })
  }

  @Test func netstatTimerColumnNeverJoinsTheProgramName() throws {
    let parsed = try parse("cases/netstat-tulpeno-timer.out")
    #expect(parsed.sockets.map { $0.processes.first?.name } == ["sshd: /usr/sbin", "postgres", "dhclient"])
    #expect(parsed.sockets.map(\.inode) == [20331, 3_311_250_994, 18022])
    #expect(parsed.sockets.map(\.uid) == [0, 112, 0])
    for real in ["netstat-tulpeno", "netstat-tuanpo", "netstat-tlnp-timers", "netstat-tuanpeo-W"] {
      let capture = try parse("issue15/\(real).out")
      #expect(capture.report.unparsedCount == 0, "\(real)")
      #expect(!capture.sockets.isEmpty)
      #expect(capture.sockets.allSatisfy { $0.processes.map(\.name) == ["python3"] }, "\(real): \(capture.sockets.map(\.processes))")
    }
  }

  // MARK: 3. Socket kinds beyond tcp/udp/unix

  @Test func sctpAndMptcpListenersAreListenersWithReach() throws {
    let parsed = try parse("cases/ss-sctp-mptcp.out")
    #expect(parsed.report.unparsedCount == 0)
    #expect(parsed.sockets.map(\.proto) == [.sctp, .mptcp, .tcp])
    #expect(parsed.sockets.allSatisfy { $0.isListening })
    #expect(parsed.sockets[0].processes == [OwningProcess(name: "diameterd", pid: 2301, fd: 9)])
    #expect(parsed.sockets[1].processes == [OwningProcess(name: "gateway", pid: 2405, fd: 7)])
    let public4 = InterfaceAddress(interface: "eth0", address: .ipv4(IPv4Address(192, 0, 2, 10)), prefixLength: 24)
    for socket in parsed.sockets {
      #expect(Listener(socket, hostAddresses: [public4]).reach?.reach == .public, "\(socket.proto)")
    }
  }

  @Test func realSsAllKindsKeepsEveryRow() throws {
    let parsed = try parse("issue15/ss-anp.out")
    #expect(parsed.report.unparsedCount == 0)
    #expect(parsed.sockets.count == parsed.report.linesRead - 1)
    let mptcp = parsed.sockets.filter { $0.proto == .mptcp }
    #expect(mptcp.count == 2 && mptcp.allSatisfy { $0.isListening && $0.local?.port == 8443 })
    let raw = parsed.sockets.filter { $0.proto == .raw }
    #expect(Set(raw.compactMap(\.ipProtocol)) == [1, 17, 58, 255])
    #expect(raw.allSatisfy { $0.local?.port == nil })
    let netlink = parsed.sockets.filter { $0.netid == "nl" }
    #expect(netlink.count == 10 && netlink.allSatisfy { $0.proto == .other && !$0.isListening })
    let packet = try #require(parsed.sockets.first { $0.netid == "p_raw" })
    #expect(packet.processes.first?.name == "pinger" && packet.receiveQueue == 6034)
    #expect(parsed.sockets.contains { $0.netid == "p_dgr" && $0.local?.address == .text("[2048]:*") })
    let headerless = try parse("issue15/ss-H-a-A-all-n.out")
    #expect(headerless.format == .ss && headerless.report.unparsedCount == 0)
    #expect(headerless.sockets.count == headerless.report.linesRead)
  }

  @Test func ssWithoutNetidColumnTakesTheProtocolFromOptions() throws {
    let mptcp = try parse("issue15/ss-Mlnp.out", options: ParseOptions(assumedProtocol: .mptcp))
    #expect(mptcp.sockets.count == 2 && mptcp.sockets.allSatisfy { $0.proto == .mptcp && $0.isListening })
    let raw = try parse("issue15/ss-awnp.out", options: ParseOptions(assumedProtocol: .raw))
    #expect(raw.sockets.compactMap(\.ipProtocol).sorted() == [1, 17, 58, 255])
  }

  @Test func rawNetidsOfOtherVersionsNameTheProtocolAsPrinted() throws {
    let parsed = try parse("issue15/ss-5.x-WRITTEN-awnp-icmp6-unknown.out")
    #expect(parsed.report.unparsedCount == 0)
    #expect(parsed.sockets.map(\.proto) == [.raw, .raw, .raw, .raw])
    #expect(parsed.sockets.map(\.kindName) == ["???", "???", "raw", "icmp6"])
    #expect(parsed.sockets.map(\.ipProtocol) == [1, 17, 255, 58])
    #expect(parsed.sockets.allSatisfy { $0.local?.port == nil && $0.isListening })
    let others = try parse("issue15/ss-WRITTEN-a-A-all-vsock-dccp-sctp.out")
    #expect(others.report.unparsedCount == 0)
    #expect(others.sockets.map(\.kindName) == ["v_str", "v_dgr", "dccp", "sctp"])
    #expect(others.sockets.map(\.isListening) == [true, false, true, true])
  }

  @Test func procNetSctpEndpoints() throws {
    let parsed = try parse("issue15/proc-net-sctp-eps-WRITTEN.out")
    #expect(parsed.format == .procNetSCTPEndpoints)
    #expect(parsed.report.unparsedCount == 0)
    // The multi-homed endpoint is one record per bound address, same inode.
    #expect(parsed.sockets.filter { $0.inode == 41744 }.compactMap { $0.local?.address.description } == ["192.0.2.10", "198.51.100.7"])
    #expect(parsed.sockets.filter { $0.isListening }.count == 3)
    let seqpacket = try #require(parsed.sockets.first { $0.inode == 41802 })
    #expect(seqpacket.local == Endpoint(address: .ipv6(IPv6Address(high: 0, low: 1)), port: 2905) && seqpacket.uid == 110)
    #expect(parsed.sockets.first { $0.inode == 41950 }?.state == .close)
  }

  // MARK: 4. Names where numbers belong

  @Test func serviceAndHostNamesBecomeNumbers() throws {
    let parsed = try parse("cases/ss-service-names.out")
    #expect(parsed.sockets.map { $0.local?.port } == [22, 8080, 631])
    #expect(parsed.sockets[2].local?.address == .ipv4(IPv4Address(127, 0, 0, 1)))
    #expect(parsed.sockets.allSatisfy { $0.dataLoss.isEmpty })
  }

  @Test func realCapturesWithoutNumericFlags() throws {
    for path in ["issue15/ss-tl.out", "issue15/ss-tlr.out", "issue15/netstat-tl.out", "issue15/busybox-netstat-tl.out", "issue15/lsof-i.out"] {
      let parsed = try parse(path)
      #expect(parsed.report.unparsedCount == 0, "\(path)")
      let ports = Set(parsed.sockets.compactMap { $0.local?.port })
      #expect(ports.isSuperset(of: [22, 631, 8443]), "\(path)")
      // fpcustom is in the capturing host's /etc/services only: kept, flagged, never a silent nil.
      let custom = try #require(parsed.sockets.first { $0.local?.serviceName == "fpcustom" }, "\(path)")
      #expect(custom.local?.port == nil && custom.dataLoss == [.portIsAName] && custom.isListening)
      #expect(parsed.sockets.filter { $0.local?.port == nil }.count == 1, "\(path)")
      #expect(parsed.report.notes.contains { $0.contains("port-is-a-name") })
    }
    let resolved = try parse("issue15/ss-tlr.out")
    let httpAlt = try socket(resolved, 8080)
    #expect(httpAlt.local?.address == .ipv4(IPv4Address(127, 0, 0, 1)))
    let lsof = try parse("issue15/lsof-i.out")
    let client = try #require(lsof.sockets.first { $0.peer?.port == 80 })
    #expect(client.peer?.address == .ipv4(IPv4Address(127, 0, 0, 1)))
    #expect(try socket(lsof, 68).proto == .udp)  // *:bootpc
    let netstat = try parse("issue15/netstat-tl.out")
    #expect(netstat.sockets.contains { $0.local == Endpoint(address: .ipv6(IPv6Address(high: 0, low: 1)), port: 631, serviceName: "ipp") })
    #expect(try socket(try parse("issue15/ss-ulp.out"), 68).processes.first?.name == "dhclient")
  }

  @Test func rawProtocolNamesBecomeNumbers() throws {
    let ss = try parse("issue15/ss-awp.out", options: ParseOptions(assumedProtocol: .raw))
    #expect(ss.sockets.map(\.ipProtocol) == [1, 17, 255, 58])
    let netstat = try parse("issue15/netstat-wap.out")
    #expect(netstat.sockets.map(\.ipProtocol) == [1, 17, 255, 58])
    #expect(netstat.sockets.allSatisfy { $0.proto == .raw && $0.dataLoss.isEmpty })
  }

  // MARK: 5. Sockets lsof could not decode

  @Test func undecodedSockRowsAreSocketsWithoutAddress() throws {
    let parsed = try parse("cases/lsof-undecoded-sock.out")
    #expect(parsed.sockets.count == 2)
    let sock = parsed.sockets[0]
    #expect(sock.proto == .tcp && sock.family == .ipv4 && sock.inode == 4_412_001 && sock.user == "app")
    #expect(sock.processes == [OwningProcess(name: "worker", pid: 7311, fd: 12)])
    #expect(sock.local == nil && sock.dataLoss.contains(.addressUnknown))
    #expect(parsed.sockets[1].state == .listen && parsed.sockets[1].local?.port == 7070)
    for path in ["issue15/lsof-nP-p-worker-outside-netns.out", "issue15/lsof-nP-p-worker-outside-netns-F.out", "issue15/lsof-nP-p-worker-outside-netns-F0.out"] {
      let real = try parse(path)
      // `lsof -p` lists the process's other files too: the text form reports the /dev/null row.
      #expect(real.report.unparsed.allSatisfy { $0.reason.hasPrefix("not a socket row") }, "\(path)")
      #expect(real.sockets.map(\.proto) == [.tcp, .tcp, .udp], "\(path)")
      #expect(real.sockets.map(\.family) == [.ipv4, .ipv6, .ipv4], "\(path)")
      #expect(real.sockets.allSatisfy { $0.inode != nil && $0.processes.first?.fd != nil && $0.dataLoss.contains(.addressUnknown) })
    }
  }

  // MARK: 6. Values the format implies

  @Test func ssExtendedOmitsUIDZeroAndNamesTheCgroup() throws {
    let parsed = try parse("cases/ss-e-uid-zero.out")
    #expect(parsed.sockets.map(\.uid) == [0, 104])
    #expect(parsed.sockets.map(\.systemdUnit) == ["nginx.service", "chrony.service"])
    #expect(parsed.sockets[0].cgroup == "/system.slice/nginx.service")
    let real = try parse("issue15/ss-tulpne.out")
    #expect(try socket(real, 80).uid == 0)
    #expect(try socket(real, 80).systemdUnit == "nginx.service")
    #expect(real.sockets.filter { $0.local?.port == 323 }.allSatisfy { $0.uid == 104 && $0.cgroup == "/system.slice/chrony.service" })
    let ssh = try socket(real, 22)
    #expect(ssh.cgroup == "/" && ssh.systemdUnit == nil)
    let withoutOwners = try parse("issue15/ss-tulne.out")
    #expect(withoutOwners.sockets.allSatisfy { $0.uid != nil && $0.inode != nil })
    // Without -e (no ino:), nothing is implied.
    #expect(try parse("issue15/ss-anp.out").sockets.allSatisfy { $0.uid == nil })
  }

  // MARK: 7. Empty tables

  @Test func headerOnlyTablesAreRecognisedAndEmpty() throws {
    let shared = try parse("cases/proc-net-raw6-header-only.out")
    #expect(shared.sockets.isEmpty && shared.report.unparsedCount == 0 && shared.report.linesIgnored == 1)
    let expected: [String: CaptureFormat] = [
      "raw": .procNetRaw, "raw6": .procNetUDP6, "udplite": .procNetUDP, "udplite6": .procNetUDP6,
      "tcp": .procNetTCP, "tcp6": .procNetTCP6, "udp": .procNetUDP, "udp6": .procNetUDP6,
    ]
    for (table, format) in expected {
      let bytes = try FixtureFiles.bytes("issue15/empty-proc-net-\(table).out")
      #expect(FormatDetector.detect(bytes) == format, "\(table)")
      let parsed = try parse("issue15/empty-proc-net-\(table).out")
      #expect(parsed.sockets.isEmpty && parsed.report.unparsedCount == 0, "\(table)")
    }
  }

  // MARK: 8. Implausible values: /proc/net byte order

  @Test func byteSwappedTablesAreReadTheRightWayWithANote() throws {
    let little = try parse("issue15/proc-net-tcp.out")
    #expect(little.report.notes.isEmpty)
    // Big-endian images of the same tables, read with the default (little) order.
    let big = try parse("issue15/proc-net-tcp-WRITTEN-big-endian.out")
    #expect(big.sockets == little.sockets)
    #expect(big.report.notes.contains { $0.contains("big-endian") })
    let big6 = try parse("issue15/proc-net-tcp6-WRITTEN-big-endian.out")
    #expect(big6.sockets == (try parse("issue15/proc-net-tcp6.out")).sockets)
    #expect(big6.sockets.contains { $0.local?.address == .ipv6(IPv6Address(high: 0, low: 1)) })
    // A real little-endian table read as big-endian: loopback only makes sense the other way.
    let wrong = try parse("issue15/proc-net-tcp.out", options: ParseOptions(procByteOrder: .big))
    #expect(wrong.sockets == little.sockets && wrong.report.notes.contains { $0.contains("little-endian") })
  }

  @Test func byteOrderWithoutEvidenceIsLeftAlone() throws {
    // udp6 of the capture has only ::1 rows; its big-endian image flips back, and a table
    // with no loopback (nor its swapped form) is never flipped.
    let big = try parse("issue15/proc-net-udp6-WRITTEN-big-endian.out")
    #expect(big.sockets == (try parse("issue15/proc-net-udp6.out")).sockets)
    let text = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 0A00000A:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1\n"
    let parsed = ProcNetSocketParser.parse(Array(text.utf8), proto: .tcp, family: .ipv4)
    #expect(parsed.sockets.first?.local?.address == .ipv4(IPv4Address(10, 0, 0, 10)) && parsed.report.notes.isEmpty)
  }

  // MARK: Detection, model compatibility

  @Test func detectorPicksTheParserForEveryNewInput() throws {
    let names = try FileManager.default.contentsOfDirectory(atPath: FixtureFiles.root.appendingPathComponent("issue15").path)
      .filter { $0.hasSuffix(".out") }.sorted()
    #expect(names.count > 40)
    for name in names {
      let bytes = try FixtureFiles.bytes("issue15/\(name)")
      let expected: CaptureFormat?
      if name.hasPrefix("ss-") { expected = .ss }
      else if name.hasPrefix("netstat-") || name.hasPrefix("busybox-netstat") { expected = .netstat }
      else if name.contains("-F") { expected = .lsofFields }
      else if name.hasPrefix("lsof-") { expected = bytes.isEmpty ? nil : .lsof }
      else if name.contains("sctp-eps") { expected = .procNetSCTPEndpoints }
      else if name.contains("net-tcp6") { expected = .procNetTCP6 }
      else if name.contains("net-tcp") { expected = .procNetTCP }
      else if name.contains("net-raw6") || name.contains("udp6") || name.contains("udplite6") { expected = .procNetUDP6 }
      else if name.contains("net-raw") { expected = .procNetRaw }
      else { expected = .procNetUDP }
      #expect(FormatDetector.detect(bytes) == expected, "\(name)")
      if let parsed = CaptureParser.parse(bytes) {
        #expect(parsed.report.unparsed.allSatisfy { $0.reason.hasPrefix("not a socket row") }, "\(name): \(parsed.report.unparsed.prefix(2))")
      }
    }
    for (name, format) in [
      ("lsof-F-no-fd-no-state", CaptureFormat.lsofFields), ("lsof-F-pcfn-no-type", .lsofFields), ("lsof-T-qs", .lsof),
      ("lsof-undecoded-sock", .lsof), ("netstat-tulpeno-timer", .netstat), ("proc-net-raw6-header-only", .procNetUDP6),
      ("ss-e-uid-zero", .ss), ("ss-sctp-mptcp", .ss), ("ss-service-names", .ss),
    ] {
      #expect(FormatDetector.detect(try FixtureFiles.bytes("cases/\(name).out")) == format, "\(name)")
    }
  }

  @Test func oldScanJSONStillDecodesAndNewFieldsRoundTrip() throws {
    // A SocketRecord as scan.json held it before issue 15: no netid, ipProtocol, cgroup.
    let old = #"{"proto":"tcp","family":"ipv4","state":"LISTEN","local":{"address":"0.0.0.0","port":22},"processes":[],"dataLoss":[]}"#
    let decoded = try JSONDecoder().decode(SocketRecord.self, from: Data(old.utf8))
    #expect(decoded.proto == .tcp && decoded.netid == nil && decoded.cgroup == nil && decoded.isListening)
    #expect(["tcp", "udp", "raw", "unix"].compactMap(SocketProtocol.init(rawValue:)) == [.tcp, .udp, .raw, .unix])
    let fresh = try parse("issue15/ss-anp.out").sockets + parse("issue15/ss-tulpne.out").sockets
    let again = try JSONDecoder().decode([SocketRecord].self, from: JSONEncoder().encode(fresh))
    #expect(again == fresh)
  }
}
