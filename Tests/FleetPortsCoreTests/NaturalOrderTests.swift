import FleetPortsCore
import Testing

/// Host names and addresses sort as people read them, everywhere fleetports lists hosts.
@Suite struct NaturalOrderTests {
  @Test(arguments: [
    ("10.200.1.3", "10.200.1.11"),
    ("10.0.0.9", "10.0.1.0"),
    ("web-2", "web-10"),
    ("lab-009", "lab-010"),
    ("db", "db-1"),
    ("web-01", "web-1"),  // same number: text order breaks the tie
    ("host99999999999999999999", "host100000000000000000000"),  // longer than any integer
  ])
  func sortsBefore(_ first: String, _ second: String) {
    #expect(NaturalOrder.areInIncreasingOrder(first, second))
    #expect(!NaturalOrder.areInIncreasingOrder(second, first))
  }

  @Test func aLabInventorySortsByItsLastOctetAsANumber() {
    let names = ["10.200.1.11", "10.200.1.3", "10.200.0.210", "10.200.1.10", "10.200.0.12"]
    #expect(names.sorted(by: NaturalOrder.areInIncreasingOrder) == ["10.200.0.12", "10.200.0.210", "10.200.1.3", "10.200.1.10", "10.200.1.11"])
  }

  @Test func aScanListsItsHostsInNaturalOrder() {
    let options = ScanOptions(inventory: "i", method: .auto, sudo: false, parallel: 1, timeoutSeconds: 1, hostKeyChecking: "strict")
    let hosts = ["10.200.1.11", "10.200.1.3", "10.200.1.2"].map {
      HostResult(name: $0, address: $0, port: 22, user: "root", groups: [], status: .failed)
    }
    let scan = ScanResult(toolVersion: "t", startedAt: "s", finishedAt: "f", interrupted: false, options: options, hosts: hosts)
    #expect(scan.hosts.map(\.name) == ["10.200.1.2", "10.200.1.3", "10.200.1.11"])
  }
}

/// One spelling of a socket, whatever prints it.
@Suite struct SocketTextTests {
  @Test func socketsAreSpelledOneWay() {
    #expect(SocketText.socket(proto: .tcp, bind: "0.0.0.0", port: 5432) == "tcp 0.0.0.0:5432")
    #expect(SocketText.socket(proto: .udp, bind: "::", port: 53) == "udp [::]:53")
    #expect(SocketText.socket(proto: .tcp, bind: "*", port: 22) == "tcp *:22")
    #expect(SocketText.socket(proto: .udp, bind: "fe80::1%eth0", port: 546) == "udp [fe80::1%eth0]:546")
    #expect(SocketText.socket(proto: .unix, bind: "/run/x.sock", port: nil) == "unix /run/x.sock")
    #expect(SocketText.socket(proto: .tcp, bind: "10.0.0.5", port: nil) == "tcp 10.0.0.5:*")
    #expect(SocketText.bind(UnixSocketDetails(path: "agent", isAbstract: true, type: .stream)) == "@agent")
    #expect(SocketText.bind(HostAddress.parse("*")) == "*")
    #expect(SocketText.bind(HostAddress.parse("::")) == "::")
  }

  @Test func aFindingsSocketAndItsListenerSpellTheSame() throws {
    let scan = try ListenerTests.netnsScan()
    for host in scan.hosts {
      for listener in host.analysedListeners {
        #expect(listener.findingSocket.text == listener.text)
      }
    }
  }
}
