import Foundation

/// The lab's bastion network (lab/README.md, "Bastion"): inner hosts only reachable through
/// the bastion (lab-001), one of them two hops deep; read from `lab/run/truth-bastion.json`.
public struct LabBastion: Codable, Sendable {
  /// Aliases in the lab ssh_config for the proxy cases.
  public struct Aliases: Codable, Sendable {
    /// An inner host reached by `ProxyCommand ssh -W %h:%p <bastion>`.
    public var proxyCommand: String
    /// A jump host where nothing listens, and a host behind it.
    public var deadJump: String
    public var behindDeadJump: String
    /// A host whose ProxyCommand fails with a message on stderr.
    public var failingProxyCommand: String

    enum CodingKeys: String, CodingKey {
      case proxyCommand = "proxy_command"
      case deadJump = "dead_jump"
      case behindDeadJump = "behind_dead_jump"
      case failingProxyCommand = "failing_proxy_command"
    }
  }

  /// The bastion's alias (a lab host).
  public var bastion: String
  /// The inner host that is itself a jump host.
  public var innerJump: String
  /// The network the controller has no route to (`ip route get` says unreachable).
  public var unreachable: String
  public var aliases: Aliases
  /// The inner hosts, in the same shape as lab hosts (`ipv6` empty: they have none).
  public var hosts: [LabHost]

  enum CodingKeys: String, CodingKey {
    case bastion
    case innerJump = "inner_jump"
    case unreachable, aliases, hosts
  }

  /// The jump hosts in front of each inner host, first hop first, by host name.
  public var jumps: [String: [String]]

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    bastion = try container.decode(String.self, forKey: .bastion)
    innerJump = try container.decode(String.self, forKey: .innerJump)
    unreachable = try container.decode(String.self, forKey: .unreachable)
    aliases = try container.decode(Aliases.self, forKey: .aliases)
    hosts = try container.decode([LabHost].self, forKey: .hosts)
    struct Route: Decodable {
      var name: String
      var jumps: [String]
    }
    let routes = try container.decode([Route].self, forKey: .hosts)
    jumps = Dictionary(uniqueKeysWithValues: routes.map { ($0.name, $0.jumps) })
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(bastion, forKey: .bastion)
    try container.encode(hosts, forKey: .hosts)
  }

  /// The bastion network of `lab`.
  /// - Throws: `LabFleetError` when the lab has no `truth-bastion.json` (an older lab).
  public static func of(_ lab: LabFleet) throws -> LabBastion {
    let path = lab.runPath + "/truth-bastion.json"
    do {
      return try JSONDecoder().decode(LabBastion.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    } catch {
      throw LabFleetError("cannot read \(path): \(error)")
    }
  }

  public func host(named name: String) -> LabHost? { hosts.first { $0.name == name } }
}
