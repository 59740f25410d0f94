import FleetPortsCore
import Foundation
import LabSupport
import Testing

@testable import FleetPortsScan

/// Ansible inventories read as Ansible reads them: each fixture beside the JSON that
/// `ansible-inventory -i FIXTURE --list` (ansible-core 2.19.14) printed for it, and
/// fleetports' hosts compared with that JSON field by field (read here with Foundation, not
/// with fleetports' reader). When ansible-core is installed in .build-ansible (a venv,
/// `python3 -m venv .build-ansible && .build-ansible/bin/pip install ansible-core`), the JSON
/// is also produced again and compared with the committed one.
@Suite struct AnsibleInventoryTests {
  static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../FleetPortsCoreTests/Fixtures/inventory").standardized.path

  /// A host as ansible-inventory's JSON describes it, in fleetports' fields.
  struct Expected: Hashable, CustomStringConvertible {
    var name: String
    var address: String
    var port: Int?
    var user: String?
    var key: String?
    var become: Bool?
    var groups: [String]
    var proxyJump: String?

    var description: String { "\(name) \(address):\(port.map(String.init) ?? "-") \(user ?? "-") key=\(key ?? "-") become=\(become.map(String.init) ?? "-") groups=\(groups) jump=\(proxyJump ?? "-")" }

    init(_ host: InventoryHost) {
      (name, address, port, user, key, become, groups, proxyJump) =
        (host.name, host.address, host.port, host.user, host.identityFile, host.sudo, host.groups, host.proxyJump)
    }

    init(name: String, vars: [String: Any], groups: [String], proxyJump: String?) {
      self.name = name
      address = vars["ansible_host"] as? String ?? name
      port = (vars["ansible_port"] as? Int) ?? (vars["ansible_port"] as? String).flatMap { Int($0) }
      user = vars["ansible_user"] as? String
      key = vars["ansible_ssh_private_key_file"] as? String
      if let flag = vars["ansible_become"] as? Bool {
        become = flag
      } else if let text = vars["ansible_become"] as? String {
        become = ["yes", "true", "on", "1", "y", "t"].contains(text.lowercased())
      }
      self.groups = groups
      self.proxyJump = proxyJump
    }
  }

  /// Every host of an `ansible-inventory --list` JSON, with the groups that hold it directly or through children.
  static func expected(fromListJSON path: String) throws -> [Expected] {
    let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    let hostvars = (root["_meta"] as? [String: Any])?["hostvars"] as? [String: [String: Any]] ?? [:]
    var parents: [String: Set<String>] = [:]
    var direct: [String: Set<String>] = [:]
    for (group, body) in root where group != "_meta" {
      let body = body as? [String: Any] ?? [:]
      for host in body["hosts"] as? [String] ?? [] { direct[host, default: []].insert(group) }
      for child in body["children"] as? [String] ?? [] { parents[child, default: []].insert(group) }
    }
    let names = Set(hostvars.keys).union(direct.keys)
    return names.sorted().map { name in
      var groups = direct[name] ?? []
      var pending = Array(groups)
      while let group = pending.popLast() {
        for parent in parents[group] ?? [] where groups.insert(parent).inserted { pending.append(parent) }
      }
      let vars = hostvars[name] ?? [:]
      let args = vars["ansible_ssh_common_args"] as? String ?? ""
      // ssh's own reading of the two spellings the fixture uses.
      var jump: String?
      if let range = args.range(of: "-J ") { jump = String(args[range.upperBound...].prefix { $0 != " " }) }
      if let range = args.range(of: "ProxyJump=") { jump = String(args[range.upperBound...].prefix { $0 != " " }) }
      return Expected(name: name, vars: vars, groups: groups.subtracting(["all", "ungrouped"]).sorted(), proxyJump: jump)
    }
  }

  static func fleetports(_ file: String) throws -> [Expected] {
    let text = try String(contentsOfFile: folder + "/" + file, encoding: .utf8)
    return try InventoryFile.parse(text, file: file).hosts.map(Expected.init).sorted { $0.name < $1.name }
  }

  @Test(arguments: ["ansible-hosts.yml", "ansible-hosts.ini"])
  func hostsEqualAnsibleInventorysList(file: String) throws {
    let truth = try Self.expected(fromListJSON: Self.folder + "/" + file + ".list.json")
    let ours = try Self.fleetports(file)
    #expect(ours.map(\.name) == truth.map(\.name))
    for (mine, theirs) in zip(ours, truth) { #expect(mine == theirs) }
  }

  @Test(arguments: ["ansible-hosts.yml", "ansible-hosts.ini"])
  func theListJSONItselfReadsAsTheSameHosts(file: String) throws {
    let truth = try Self.expected(fromListJSON: Self.folder + "/" + file + ".list.json")
    let fromJSON = try Self.fleetports(file + ".list.json")
    #expect(fromJSON == truth)
  }

  @Test func theYAMLFixtureCoversRangesPortsBecomeKeysAndJumps() throws {
    let hosts = try Self.fleetports("ansible-hosts.yml")
    let byName = Dictionary(uniqueKeysWithValues: hosts.map { ($0.name, $0) })
    #expect(byName["web02.example.com"]?.port == 2222 && byName["web02.example.com"]?.become == true)
    #expect(byName["web-canary.example.com"]?.become == false)
    #expect(byName["monitor.example.com"]?.port == 2200)
    #expect(byName["dbb-replica"]?.groups == ["db", "prod", "replicas"])
    #expect(byName["db1"]?.proxyJump == "jump@bastion.example.com" && byName["db1"]?.key == "~/.ssh/db_ed25519")
    #expect(byName["db2"]?.proxyJump == "bastion.example.com")
  }

  @Test func errorsNameTheFileTheLineAndThePath() {
    let cases: [(String, String, String)] = [
      ("hosts.yml", "all:\n  children:\n    web:\n      hosts:\n        web1:\n          ansible_port: http\n", "hosts.yml:6: port 'http'"),
      ("hosts.yml", "all:\n  hots:\n    web1:\n", "hosts.yml:2: unexpected key 'hots' in all (expected: hosts, children, vars)"),
      ("hosts.yml", "all:\n  hosts: [web1]\n", "hosts.yml:2: all.hosts must be a mapping"),
      ("hosts.yml", "all:\n  hosts:\n    web1: {\n", "hosts.yml:4: invalid YAML"),
      ("list.json", "{\"web\": {\"hosts\": \"web1\"}}", "list.json:1: web.hosts must be a list of names"),
      ("list.json", "{\"_meta\": {\"hostvars\": {\"w\": {\"ansible_port\": [1]}}}}", "list.json:1: _meta.hostvars.w.ansible_port must be text"),
    ]
    for (file, text, prefix) in cases {
      do {
        _ = try InventoryFile.parse(text, file: file)
        Issue.record("\(file) \(text) parsed")
      } catch {
        #expect(error.description.hasPrefix(prefix), "\(error.description)")
      }
    }
  }

  static let ansibleInventory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../.build-ansible/bin/ansible-inventory").standardized.path

  /// Skipped (and shown so) without ansible-core in .build-ansible; the committed JSON is still compared above.
  @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: ansibleInventory), "ansible-core is not installed in .build-ansible"))
  func theCommittedJSONIsWhatAnsibleInventoryPrintsToday() throws {
    let tool = Self.ansibleInventory
    for file in ["ansible-hosts.yml", "ansible-hosts.ini"] {
      let run = try ChildProcess.run([tool, "-i", Self.folder + "/" + file, "--list"], timeout: .seconds(60))
      let fresh = try JSONSerialization.jsonObject(with: Data(run.stdout)) as? NSDictionary
      let committed = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.folder + "/" + file + ".list.json"))) as? NSDictionary
      #expect(fresh == committed, "\(file)")
    }
  }
}
