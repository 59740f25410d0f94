import Foundation
import Testing

@testable import FleetPortsCore

/// As root the probe runs iptables-nft-save only where `nft -j` shows an `xt` expression (a
/// match or target nft prints bare): an iptables-nft ruleset nft prints in full needs nft's
/// JSON alone. Each test loads a real ruleset with iptables-nft-restore into a network
/// namespace of its own (root only), runs the real probe there, and judges the listeners from
/// what the probe read against the same rules as iptables-nft-save prints them.
@Suite struct ProbeFirewallToolsTests {
  static func tool(_ name: String) -> String? {
    ["/usr/sbin/", "/sbin/", "/usr/bin/"].map { $0 + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
  }
  static let canRun = ProbeShell.isRoot && ProbeShell.unshare != nil && tool("iptables-nft-restore") != nil && tool("nft") != nil

  static let plainRules = """
    *filter
    :INPUT DROP [0:0]
    :FORWARD DROP [0:0]
    :OUTPUT ACCEPT [0:0]
    -A INPUT -i lo -j ACCEPT
    -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
    -A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 5432 -j ACCEPT
    -A INPUT -p udp -m udp --dport 53 -j ACCEPT
    COMMIT

    """

  /// The probe's output in a namespace with `rules` loaded, and iptables-nft-save's text there.
  static func probe(rules: String) throws -> (output: ProbeOutput, save: [UInt8]) {
    let file = "/tmp/fp-fw-tools-\(getpid())-\(UUID().uuidString.prefix(6))"
    try Data(rules.utf8).write(to: URL(fileURLWithPath: file + ".rules"))
    defer {
      try? FileManager.default.removeItem(atPath: file + ".rules")
      try? FileManager.default.removeItem(atPath: file + ".save")
    }
    let restore = try #require(tool("iptables-nft-restore"))
    let save = try #require(tool("iptables-nft-save"))
    let (run, output) = try ProbeShell.runInNetworkNamespace(setup: "\(restore) < \(file).rules && \(save) > \(file).save")
    #expect(run.status == 0 && output.finished, "exit \(run.status): \(String(decoding: run.stderr, as: UTF8.self))")
    return (output, Array(try Data(contentsOf: URL(fileURLWithPath: file + ".save"))))
  }

  static let host = [InterfaceAddress(interface: "eth0", address: .ipv4(IPv4Address(192, 0, 2, 2)), prefixLength: 24)]

  /// Each port's verdict kind and accepted sources per source class.
  static func judged(_ ruleset: FirewallRuleset) -> [String] {
    let evaluator = FirewallEvaluator(ruleset: ruleset, hostAddresses: host)
    var lines: [String] = []
    for (proto, port) in [(SocketProtocol.tcp, UInt16(22)), (.tcp, 5432), (.tcp, 80), (.udp, 53), (.udp, 123)] {
      for verdict in evaluator.verdicts(proto: proto, bind: .wildcard(.ipv4), port: port) {
        lines.append("\(proto)/\(port) \(verdict.source.rawValue) \(verdict.verdict.kind.rawValue) \(verdict.verdict.acceptedSources)")
      }
    }
    return lines
  }

  @Test(.enabled(if: canRun, "needs root, unshare, nft and iptables-nft-restore"))
  func rulesNftPrintsInFullAreReadByNftAlone() throws {
    let (output, save) = try Self.probe(rules: Self.plainRules)
    let nft = try #require(output[.firewallNft])
    #expect(!String(decoding: nft.body, as: UTF8.self).contains("\"xt\""), "the ruleset has no xt expression")
    #expect(output[.firewallIptablesNft] == nil && output[.firewallIp6tablesNft] == nil)
    let snapshot = SnapshotAssembler.assemble(output)
    #expect(snapshot.firewall?.status == .read && snapshot.firewall?.sources.map(\.section) == ["fw-nft"])
    let fromProbe = try #require(snapshot.firewall?.ruleset())
    let fromSave = IptablesSaveParser.parse(save, family: .ipv4)
    #expect(fromSave.report.unparsedCount == 0)
    let judged = Self.judged(fromProbe)
    #expect(judged == Self.judged(fromSave.ruleset))
    // Not vacuous: the rules deny, allow and restrict.
    #expect(judged.contains("tcp/5432 anywhere restricted [\"10.0.0.0/8\"]"), "\(judged)")
    #expect(judged.contains { $0.hasPrefix("tcp/80 anywhere drop") }, "\(judged)")
  }

  @Test(.enabled(if: canRun, "needs root, unshare, nft and iptables-nft-restore"))
  func anXtMatchBringsIptablesNftSave() throws {
    let rules = Self.plainRules.replacingOccurrences(
      of: "-A INPUT -i lo -j ACCEPT\n", with: "-A INPUT -i lo -j ACCEPT\n-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n")
    let (output, _) = try Self.probe(rules: rules)
    #expect(String(decoding: try #require(output[.firewallNft]).body, as: UTF8.self).contains("\"xt\""))
    #expect(output[.firewallIptablesNft]?.exitCode == 0 && output[.firewallIp6tablesNft]?.exitCode == 0)
    let snapshot = SnapshotAssembler.assemble(output)
    #expect(snapshot.firewall?.status == .read)
    #expect(snapshot.firewall?.sources.map(\.section) == ["fw-nft", "fw-iptables-nft-save", "fw-ip6tables-nft-save"])
  }
}

/// `fp_r`, which runs each firewall tool into a section with its output held in a variable
/// (no `head` unless the output passes the cap), on every real shell: empty output, a failing
/// tool's status and words, trailing newlines, exactly the cap, past it. (A shell's `$( )` drops
/// NUL bytes: no firewall tool prints one.)
@Suite struct FirewallSectionFramingTests {
  @Test(arguments: ProbeShell.shells)
  func eachToolsOutputIsOneSectionWithItsStatus(shell: ProbeShell.Shell) throws {
    let cap = 64
    let exact = String(repeating: "0123456789abcdef", count: 4)
    let script =
      ProbeScript.prelude(nonce: ProbeTests.nonce, sectionCap: cap) + ProbeScript.probeFunctions + #"""
        fp_init
        fp_fwn=0
        fp_r true
        fp_r sh -c 'echo out; echo err >&2; exit 3'
        fp_r printf 'a\n\n\n'
        fp_r echo \#(exact)
        fp_r awk 'BEGIN{for(i=0;i<100000;i++)printf "a"}'
        fp_r fp-no-such-tool
        fp_begin count;echo $fp_fwn;fp_rc=0;fp_end count
        fp_done
        exit 0

        """#
    let run = try ProbeShell.run(shell.argv, input: Array(script.utf8))
    #expect(run.status == 0, "\(shell): \(String(decoding: run.stderr, as: UTF8.self))")
    let output = ProbeOutput.parse(run.stdout, nonce: ProbeTests.nonce)
    #expect(output.finished && output.problems.isEmpty, "\(shell): \(output.problems)")
    let sections = output.sections
    #expect(sections.map(\.name) == ["fw-true", "fw-sh", "fw-printf", "fw-echo", "fw-awk", "fw-fp-no-such-tool", "count"], "\(shell)")
    func section(_ index: Int) -> ProbeSection? { index < sections.count ? sections[index] : nil }
    // Nothing printed: an empty body, as `head` gave.
    #expect(section(0)?.body == [] && section(0)?.exitCode == 0, "\(shell)")
    // The tool's own status, stdout and stderr.
    #expect(section(1)?.exitCode == 3 && section(1)?.body == Array("out\nerr\n".utf8), "\(shell)")
    // Trailing newlines are one (the shell's $( ) drops them; the section ends its line).
    #expect(section(2)?.body == Array("a\n".utf8) && section(2)?.truncated == false, "\(shell)")
    // Exactly the cap with its newline is cap+1 bytes: cut, as `head -c cap+1` then the parser do.
    #expect(section(3)?.body == Array(exact.utf8) && section(3)?.truncated == true, "\(shell)")
    #expect(section(4)?.body.count == cap && section(4)?.truncated == true && section(4)?.exitCode == 0, "\(shell)")
    #expect(section(5)?.exitCode == 127, "\(shell)")
    #expect(section(6)?.body == Array("6\n".utf8), "\(shell): fp_fwn counts the tools run")
  }
}
