/// The hosts a scan visits, as the inventory file listed them. Values the file did not
/// set stay nil so ssh_config and command-line flags can fill them later.
public struct Inventory: Sendable, Hashable {
  public var hosts: [InventoryHost]

  public init(hosts: [InventoryHost] = []) {
    self.hosts = hosts
  }

  /// The host with this display name, if listed.
  public func host(named name: String) -> InventoryHost? {
    hosts.first { $0.name == name }
  }
}

/// One host of an inventory.
public struct InventoryHost: Sendable, Hashable {
  /// The name as written (brackets of an IPv6 literal removed): the display name, and
  /// for Ansible the inventory alias. ssh_config `Host` patterns match against it.
  public var name: String
  /// What to connect to: the same as `name` unless `ansible_host` or ssh_config's
  /// `HostName` said otherwise.
  public var address: String
  /// nil: not set (ssh_config or the default 22 decides).
  public var port: Int?
  public var user: String?
  /// A private key path as written (`~` is not expanded here).
  public var identityFile: String?
  /// Sorted, without duplicates.
  public var groups: [String]
  /// Run the probe under `sudo -n`; nil: not set.
  public var sudo: Bool?
  /// A ProxyJump list (`-J` style, `[user@]host[:port],…`, or `none`) from the inventory itself
  /// (Ansible's `ansible_ssh_common_args`/`ansible_ssh_extra_args`: `-J …`, `-o ProxyJump=…`); it
  /// wins over ssh_config's ProxyJump and ProxyCommand as `ssh -J` does. nil: unset.
  public var proxyJump: String?
  /// The line that first listed the host.
  public var source: SourceLine

  public init(
    name: String, address: String? = nil, port: Int? = nil, user: String? = nil,
    identityFile: String? = nil, groups: [String] = [], sudo: Bool? = nil, proxyJump: String? = nil, source: SourceLine
  ) {
    self.name = name
    self.address = address ?? name
    self.port = port
    self.user = user
    self.identityFile = identityFile
    self.groups = Array(Set(groups)).sorted()
    self.sudo = sudo
    self.proxyJump = proxyJump
    self.source = source
  }
}

/// The inventory dialects `InventoryParser` reads.
public enum InventoryFormat: String, Sendable, Hashable, CaseIterable, Codable {
  /// fleetports' own: `[user@]host[:port] key=value…` with `[group]` headers.
  case native
  /// Ansible's INI inventory: `alias ansible_host=… ansible_user=…`, `[g:children]`, `[g:vars]`.
  case ansible
  /// Ansible's YAML inventory (`all:` → `hosts`/`children`/`vars`), read at the edge into `InventoryNode`s.
  case ansibleYAML = "ansible-yaml"
  /// The JSON `ansible-inventory --list` prints (`_meta.hostvars`, groups with `hosts`/`children`).
  case ansibleJSON = "ansible-json"

  /// The format of a file by its name and text: `.json` or text starting with `{` is JSON,
  /// `.yml`/`.yaml` or a first line that is a bare `name:` key is YAML, else `detect(_:)`.
  public static func detect(_ text: String, file: String) -> InventoryFormat {
    let name = file.lowercased()
    let start = text.drop(while: { $0.isWhitespace })
    if name.hasSuffix(".json") || start.hasPrefix("{") { return .ansibleJSON }
    if name.hasSuffix(".yml") || name.hasSuffix(".yaml") { return .ansibleYAML }
    for rawLine in text.split(whereSeparator: \.isNewline) {
      let line = rawLine.trimmingWhitespace()
      if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
      if line == "---" { return .ansibleYAML }
      if line.hasSuffix(":"), !line.hasPrefix("["), !line.contains(" "), !line.contains("=") { return .ansibleYAML }
      break
    }
    return detect(text)
  }

  /// Ansible when any line has an `ansible_…=` variable or a `[group:children]` /
  /// `[group:vars]` header; native otherwise.
  public static func detect(_ text: String) -> InventoryFormat {
    for rawLine in text.split(whereSeparator: \.isNewline) {
      let line = rawLine.trimmingWhitespace()
      if line.hasPrefix("#") || line.hasPrefix(";") { continue }
      let tokens = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
      if let first = tokens.first, first.hasPrefix("["), first.hasSuffix(":children]") || first.hasSuffix(":vars]") {
        return .ansible
      }
      if tokens.contains(where: { $0.hasPrefix("ansible_") && $0.contains("=") }) { return .ansible }
    }
    return .native
  }
}

extension StringProtocol {
  /// The text without leading and trailing blanks, tabs and carriage returns.
  func trimmingWhitespace() -> SubSequence {
    let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
    guard let start = firstIndex(where: { !isBlank($0) }), let end = lastIndex(where: { !isBlank($0) }) else {
      return self[endIndex...]
    }
    return self[start...end]
  }
}
