/// The fleet seen across hosts, for renderers: which host listens on what (port × host),
/// which services run where, how far listeners reach, and the listeners few peers share.
/// Built from successfully scanned hosts only.
public struct FleetAggregate: Hashable, Sendable, Codable {
  /// One (protocol, port) and, per host that listens on it, its widest reach there.
  public struct PortRow: Hashable, Sendable, Codable {
    public var proto: SocketProtocol
    public var port: UInt16
    /// The service most hosts identify on it, if any.
    public var service: String?
    /// Host name → widest reach of its listeners on this port.
    public var hosts: [String: ReachClass]
    /// Host name → the most open effective exposure of its listeners on this port beyond
    /// loopback (`ListenerExposure.Kind`); nil in scan.json written before issue 19.
    public var exposures: [String: ListenerExposure.Kind]?
  }

  /// A recognised service and the hosts that run it.
  public struct ServiceHosts: Hashable, Sendable, Codable {
    public var service: String
    public var category: ServiceCategory
    public var hosts: [String]
  }

  /// IP listeners (every listener with a reach: TCP, UDP, raw) counted by reach; the
  /// terminal's and the reports' listener counts are these.
  public struct ReachCounts: Hashable, Sendable, Codable {
    public var loopback = 0
    /// Listeners inside containers that no published port leads to.
    public var containerNetwork = 0
    public var linkLocal = 0
    public var privateNetwork = 0
    public var `public` = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
      case loopback, containerNetwork, linkLocal, privateNetwork, `public`
    }

    /// `containerNetwork` came later within schema 1: older files read as 0.
    public init(from decoder: any Decoder) throws {
      let container = try decoder.container(keyedBy: CodingKeys.self)
      loopback = try container.decode(Int.self, forKey: .loopback)
      containerNetwork = try container.decodeIfPresent(Int.self, forKey: .containerNetwork) ?? 0
      linkLocal = try container.decode(Int.self, forKey: .linkLocal)
      privateNetwork = try container.decode(Int.self, forKey: .privateNetwork)
      self.public = try container.decode(Int.self, forKey: .public)
    }

    public subscript(reach: ReachClass) -> Int {
      get {
        switch reach {
        case .loopback: return loopback
        case .containerNetwork: return containerNetwork
        case .linkLocal: return linkLocal
        case .privateNetwork: return privateNetwork
        case .public: return self.public
        }
      }
      set {
        switch reach {
        case .loopback: loopback = newValue
        case .containerNetwork: containerNetwork = newValue
        case .linkLocal: linkLocal = newValue
        case .privateNetwork: privateNetwork = newValue
        case .public: self.public = newValue
        }
      }
    }
  }

  /// A (protocol, port) reachable beyond loopback on fewer than `thresholdPercent` % of its group's hosts.
  public struct PeerOutlier: Hashable, Sendable, Codable {
    /// The inventory group, or `(ungrouped)` for hosts in none.
    public var group: String
    public var proto: SocketProtocol
    public var port: UInt16
    public var hosts: [String]
    public var groupSize: Int
    public var thresholdPercent: Int
  }

  /// Hosts that were analysed (status ok), in the scan's host order.
  public var hosts: [String]
  public var ports: [PortRow]
  public var services: [ServiceHosts]
  public var reach: ReachCounts
  public var reachByHost: [String: ReachCounts]
  public var outliers: [PeerOutlier]
  /// Listeners beyond loopback (TCP, UDP, …) counted by effective exposure
  /// (`open`, `restricted`, `uncertain`, `blocked`, `unknown`); nil before issue 19.
  public var exposure: [String: Int]?

  public init(
    hosts: [String], ports: [PortRow], services: [ServiceHosts], reach: ReachCounts, reachByHost: [String: ReachCounts],
    outliers: [PeerOutlier], exposure: [String: Int]? = nil
  ) {
    self.exposure = exposure
    self.hosts = hosts
    self.ports = ports
    self.services = services
    self.reach = reach
    self.reachByHost = reachByHost
    self.outliers = outliers
  }

  /// Hosts in none of the inventory's groups are compared with each other under this name.
  public static let ungrouped = "(ungrouped)"
}
