import Foundation
import Testing

@testable import FleetPortsCore

/// The firewall sections of the probe, read into `HostSnapshot.firewall`, and every listener's
/// exposure judged from them (`ListenerExposure`), on the captured rulesets of Fixtures/firewall/.
@Suite struct FirewallExposureTests {
  static let provenanceJSON =
    #"{"attribution":"complete","isRoot":true,"kernelTablesRead":true,"toolVersions":{},"sections":[],"problems":[]}"#

  static func section(_ name: ProbeSectionName, _ body: [UInt8], rc: Int32? = 0, truncated: Bool = false) -> ProbeSection {
    ProbeSection(name: name.rawValue, body: body, exitCode: rc, truncated: truncated, complete: true)
  }

  static func listener(_ port: UInt16, bind: HostAddress = .wildcard(.ipv4), process: String = "svc") -> SocketRecord {
    SocketRecord(
      proto: .tcp, state: .listen, local: Endpoint(address: bind, port: port), processes: [OwningProcess(name: process, pid: 1, fd: 3)])
  }

  static func snapshot(_ firewall: FirewallSnapshot?, sockets: [SocketRecord]) throws -> HostSnapshot {
    let provenance = try JSONDecoder().decode(Provenance.self, from: Data(provenanceJSON.utf8))
    return HostSnapshot(
      meta: ProbeMeta(), addresses: FirewallEvaluatorTests.host, sockets: sockets, unixSocketModes: [], counters: KernelCounters(),
      provenance: provenance, firewall: firewall)
  }

  static func exposures(_ snapshot: HostSnapshot) -> [String: ListenerExposure] {
    var result: [String: ListenerExposure] = [:]
    for listener in Listener.all(in: snapshot) { if let exposure = listener.exposure { result[listener.text] = exposure } }
    return result
  }

  @Test func withoutRootTheFirewallIsUnknownAndEveryWideListenerSaysSo() throws {
    let firewall = FirewallSnapshot.assemble(ProbeOutput(sections: []), isRoot: false)
    #expect(firewall.status == .notRoot)
    #expect(firewall.reason?.contains("root") == true)
    let snapshot = try Self.snapshot(firewall, sockets: [Self.listener(5432), Self.listener(5432, bind: .ipv4(IPv4Address(127, 0, 0, 1)))])
    let exposures = Self.exposures(snapshot)
    #expect(exposures.count == 1, "the loopback listener is not judged")
    #expect(exposures["tcp 0.0.0.0:5432"]?.kind == .unknown)
    #expect(exposures["tcp 0.0.0.0:5432"]?.reason.contains("root") == true)
  }

  @Test func rootWithoutToolsAndAScanWithoutFirewallAreUnknownToo() throws {
    #expect(FirewallSnapshot.assemble(ProbeOutput(sections: []), isRoot: true).status == .noTool)
    let old = try Self.snapshot(nil, sockets: [Self.listener(22)])
    #expect(Self.exposures(old)["tcp 0.0.0.0:22"]?.kind == .unknown)
  }

  @Test func aCutOrFailedOrUnparsableSectionMakesTheFirewallUnreadableNotGuessed() throws {
    let json = try FixtureFiles.bytes("firewall/policy-drop.nft.json")
    let cut = FirewallSnapshot.assemble(ProbeOutput(sections: [Self.section(.firewallNft, json, truncated: true)]), isRoot: true)
    #expect(cut.status == .unreadable && cut.reason?.contains("cap") == true)
    let failed = FirewallSnapshot.assemble(
      ProbeOutput(sections: [Self.section(.firewallNft, Array("netlink: Error: cache\n".utf8), rc: 1)]), isRoot: true)
    #expect(failed.status == .unreadable && failed.reason?.contains("netlink") == true)
    let garbage = FirewallSnapshot.assemble(ProbeOutput(sections: [Self.section(.firewallNft, Array("{}".utf8))]), isRoot: true)
    #expect(garbage.status == .unreadable)
    #expect(try Self.exposures(Self.snapshot(garbage, sockets: [Self.listener(22)]))["tcp 0.0.0.0:22"]?.kind == .unknown)
  }

  /// policy-drop.nft: 22 open, 5432 restricted to 10.0.0.0/8, 6379 blocked by the policy (real connects agree, connections.tsv).
  @Test func policyDropGivesOpenRestrictedAndBlockedWithTheDecidingRule() throws {
    let json = try FixtureFiles.bytes("firewall/policy-drop.nft.json")
    let firewall = FirewallSnapshot.assemble(ProbeOutput(sections: [Self.section(.firewallNft, json)]), isRoot: true)
    #expect(firewall.status == .read)
    #expect(firewall.frontEnds == ["nftables"])
    #expect(firewall.ruleCount > 0)
    let snapshot = try Self.snapshot(
      firewall,
      sockets: [Self.listener(22), Self.listener(5432), Self.listener(6379), Self.listener(6379, bind: .ipv4(IPv4Address(127, 0, 0, 1)))])
    let exposures = Self.exposures(snapshot)
    #expect(exposures["tcp 0.0.0.0:22"]?.kind == .open)
    #expect(exposures["tcp 0.0.0.0:22"]?.rule?.text == "tcp dport { 22, 443 } counter accept")
    #expect(exposures["tcp 0.0.0.0:5432"]?.kind == .restricted)
    #expect(exposures["tcp 0.0.0.0:5432"]?.sources == ["10.0.0.0/8"])
    #expect(exposures["tcp 0.0.0.0:6379"]?.kind == .blocked)
    #expect(exposures["tcp 0.0.0.0:6379"]?.rule?.text == "policy drop")
    #expect(exposures["tcp 127.0.0.1:6379"] == nil)
    #expect(exposures["tcp 0.0.0.0:6379"]?.summary == "blocked by inet filter input policy: policy drop")
  }

  /// docker-like.rules (legacy): INPUT policy DROP, 8080 published by DNAT to 172.17.0.2:80.
  @Test func aPortPublishedPastTheInputDenyIsOpenAndBypassesInput() throws {
    let text = try FixtureFiles.bytes("firewall/docker-like.iptables-legacy-save")
    let output = ProbeOutput(sections: [Self.section(.firewallIptablesLegacy, text)])
    let firewall = FirewallSnapshot.assemble(output, isRoot: true)
    #expect(firewall.status == .read)
    #expect(firewall.frontEnds == ["docker"])
    let snapshot = try Self.snapshot(
      firewall, sockets: [Self.listener(8080, process: "docker-proxy"), Self.listener(22), Self.listener(9000)])
    let exposures = Self.exposures(snapshot)
    let published = try #require(exposures["tcp 0.0.0.0:8080"])
    #expect(published.kind == .open)
    #expect(published.dnat.first?.target == "172.17.0.2:80")
    #expect(published.bypassesInput)
    #expect(published.inputDeniedBy?.text == "policy DROP" || published.inputDeniedBy?.position == nil)
    #expect(exposures["tcp 0.0.0.0:9000"]?.kind == .blocked)
    #expect(exposures["tcp 0.0.0.0:9000"]?.bypassesInput == false)
    #expect(exposures["tcp 0.0.0.0:22"]?.kind == .open)
  }

  /// iptables-nft's tables are in `nft -j` too (with bare `xt` matches): the iptables-nft-save
  /// text replaces them, so no rule counts twice and no `xt` makes a verdict uncertain.
  @Test func iptablesNftSaveShadowsTheSameTablesInTheNftJSON() throws {
    let json = try FixtureFiles.bytes("firewall/docker-like.iptables-nft.nft.json")
    let save = try FixtureFiles.bytes("firewall/docker-like.iptables-nft-save")
    let alone = FirewallSnapshot.assemble(ProbeOutput(sections: [Self.section(.firewallIptablesNft, save)]), isRoot: true)
    let both = FirewallSnapshot.assemble(
      ProbeOutput(sections: [Self.section(.firewallNft, json), Self.section(.firewallIptablesNft, save)]), isRoot: true)
    #expect(both.status == .read)
    #expect(both.ruleCount == alone.ruleCount)
    let snapshot = try Self.snapshot(both, sockets: [Self.listener(8080, process: "docker-proxy")])
    #expect(Self.exposures(snapshot)["tcp 0.0.0.0:8080"]?.kind == .open)
  }

  @Test func theFirewallSurvivesScanJSONAndOldJSONReadsAsNone() throws {
    let json = try FixtureFiles.bytes("firewall/policy-drop.nft.json")
    let firewall = FirewallSnapshot.assemble(ProbeOutput(sections: [Self.section(.firewallNft, json)]), isRoot: true)
    let snapshot = try Self.snapshot(firewall, sockets: [Self.listener(6379)])
    let data = try JSONEncoder().encode(snapshot)
    let back = try JSONDecoder().decode(HostSnapshot.self, from: data)
    #expect(back == snapshot)
    #expect(Self.exposures(back)["tcp 0.0.0.0:6379"]?.kind == .blocked)
    var object = try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
    object["firewall"] = nil
    let old = try JSONDecoder().decode(HostSnapshot.self, from: JSONSerialization.data(withJSONObject: object))
    #expect(old.firewall == nil)
  }

  @Test func frontEndsComeFromChainAndTableNames() throws {
    let ufw = IptablesSaveParser.parse(try FixtureFiles.bytes("firewall/ufw-like.iptables-nft-save"), family: .ipv4)
    #expect(FirewallSnapshot.frontEnds(ufw.ruleset) == ["ufw"])
    let firewalld = try NftJSONParser.parse(try FixtureFiles.bytes("firewall/firewalld-like.nft.json"))
    #expect(FirewallSnapshot.frontEnds(firewalld.ruleset) == ["firewalld"])
  }

  @Test func theProbeReadsTheFirewallOnlyAsRootWithTheBackendNamedTools() {
    let script = ProbeScript.make(nonce: "0123456789abcdef0123456789abcdef", method: .auto)
    #expect(script.contains("[ -r /proc/1/environ ]&&fp_fw"))
    #expect(script.contains("fp_r nft -j list ruleset") && ProbeSectionName.firewallNft.rawValue == "fw-nft")
    // fp_fw spells the iptables sections `fw-<tool>`: they must be the section names.
    for tool in ["iptables", "ip6tables"] {
      for suffix in ["save", "nft-save", "legacy-save"] {
        #expect(ProbeSectionName.firewallSections.map(\.rawValue).contains("fw-\(tool)-\(suffix)"))
      }
    }
    #expect(script.contains("fp_begin fw-$1") && script.contains("fp_end fw-$1"))
    #expect(script.contains("fp_begin fw-none") && ProbeSectionName.firewallNone.rawValue == "fw-none")
    #expect(script.contains("fp_r $fp_t-$fp_s"))
    #expect(script.contains("/proc/net/${fp_t%tables}_tables_names"))
  }

  /// As root, a host whose kernel has no nf_tables and no legacy tables has no rules: read and
  /// empty. With nf_tables there but no tool to read it, the firewall stays unknown.
  @Test func aKernelWithoutNetfilterTablesHasAnEmptyFirewall() {
    func snapshot(_ body: String) -> FirewallSnapshot {
      let section = ProbeSection(name: "fw-none", body: Array(body.utf8), exitCode: 0, truncated: false, complete: true)
      return FirewallSnapshot.assemble(ProbeOutput(sections: [section], finished: true), isRoot: true)
    }
    let none = snapshot("nf_tables no, no legacy tables")
    #expect(none.status == .read && none.isEmpty == true && none.ruleCount == 0)
    #expect(snapshot("nf_tables yes, no legacy tables").status == .noTool)
    #expect(FirewallSnapshot.assemble(ProbeOutput(sections: [], finished: true), isRoot: false).status == .notRoot)
  }
}
