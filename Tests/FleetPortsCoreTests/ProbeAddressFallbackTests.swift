import Foundation
import Testing

@testable import FleetPortsCore

/// Where /proc cannot name an IPv4 address's interface (no connected route covers it: a /32
/// with a gateway host route, as cloud VMs get), the probe runs `ip -o addr` on that host, and
/// the addresses come from it. Run in a network namespace of the test's own (root only), on
/// loopback with an address from the documentation range.
@Suite struct ProbeAddressFallbackTests {
  static func addresses(setup: String) throws -> (sections: Set<String>, addresses: [InterfaceAddress]) {
    let output = try ProbeShell.runInNetworkNamespace(setup: setup).output
    let snapshot = SnapshotAssembler.assemble(output)
    return (Set(output.sections.map(\.name)), snapshot.addresses)
  }

  @Test(.enabled(if: ProbeShell.isRoot && ProbeShell.unshare != nil, "needs root for a network namespace"))
  func anAddressNoRouteExplainsIsNamedByIP() throws {
    let cut = try Self.addresses(setup: "ip addr add 192.0.2.10/32 dev lo")
    #expect(cut.sections.contains(ProbeSectionName.addressesIP.rawValue), "\(cut.sections.sorted())")
    #expect(
      cut.addresses.contains { $0.interface == "lo" && $0.address.description == "192.0.2.10" && $0.prefixLength == 32 }, "\(cut.addresses)"
    )
    #expect(!cut.addresses.contains { $0.interface == "?" }, "\(cut.addresses)")
  }

  @Test(.enabled(if: ProbeShell.isRoot && ProbeShell.unshare != nil, "needs root for a network namespace"))
  func addressesProcNamesStartNoProgram() throws {
    // 127.0.0.1/8 on lo has its connected route in the local table's terms: no `ip` needed.
    let plain = try Self.addresses(setup: "true")
    #expect(!plain.sections.contains(ProbeSectionName.addressesIP.rawValue), "\(plain.sections.sorted())")
    #expect(plain.addresses.contains { $0.interface == "lo" && $0.address.description == "127.0.0.1" }, "\(plain.addresses)")
  }
}
