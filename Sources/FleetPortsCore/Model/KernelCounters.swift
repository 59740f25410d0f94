/// Every name→value pair of /proc/net/netstat and /proc/net/snmp (or `netstat -s`),
/// keyed `Group.Name`, e.g. `TcpExt.ListenOverflows`.
public struct KernelCounters: Hashable, Sendable, Codable {
  public var values: [String: Int64]

  public init(values: [String: Int64] = [:]) { self.values = values }

  public subscript(group: String, name: String) -> Int64? { values["\(group).\(name)"] }

  public var listenOverflows: Int64? { self["TcpExt", "ListenOverflows"] }
  public var listenDrops: Int64? { self["TcpExt", "ListenDrops"] }
  public var isEmpty: Bool { values.isEmpty }
}
