/// A host port that leads into a container: Docker's `-p 8080:80` seen from the host, from
/// the docker-proxy's command line, a prerouting DNAT, or both.
public struct PortPublication: Hashable, Sendable, Codable {
  /// What showed the mapping.
  public enum Source: String, Hashable, Sendable, Codable, CaseIterable {
    /// The userland proxy's `-host-ip -host-port -container-ip -container-port` command line.
    case dockerProxy = "docker-proxy"
    /// A prerouting DNAT of the host port to the container's address (the firewall's rules).
    case dnat
  }

  public var proto: SocketProtocol
  /// The host side: `0.0.0.0`, `::`, or one address.
  public var hostAddress: String
  public var hostPort: UInt16
  /// The container side, as the proxy or the rule names it.
  public var containerAddress: String
  public var containerPort: UInt16
  /// Every source that showed this mapping, sorted.
  public var sources: [Source]
  /// The docker-proxy's pid, where it showed the mapping.
  public var proxyPID: Int32?

  public init(
    proto: SocketProtocol, hostAddress: String, hostPort: UInt16, containerAddress: String, containerPort: UInt16,
    sources: [Source], proxyPID: Int32? = nil
  ) {
    self.proto = proto
    self.hostAddress = hostAddress
    self.hostPort = hostPort
    self.containerAddress = containerAddress
    self.containerPort = containerPort
    self.sources = sources
    self.proxyPID = proxyPID
  }

  /// `0.0.0.0:8080`, `[::]:8080`.
  public var hostText: String { Self.joined(hostAddress, hostPort) }
  /// `172.17.0.2:80`.
  public var containerText: String { Self.joined(containerAddress, containerPort) }

  /// `host 0.0.0.0:8080 → container web 172.17.0.2:80 (nginx)`: the mapping as one exposure.
  public func text(container: ContainerIdentity?, owners: [String]) -> String {
    let name = container.map { " " + $0.label } ?? ""
    let owner = owners.isEmpty ? "" : " (" + owners.joined(separator: ", ") + ")"
    return "host \(hostText) → container\(name) \(containerText)\(owner)"
  }

  static func joined(_ address: String, _ port: UInt16) -> String {
    address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)"
  }
}

/// Reads Docker's userland proxy command line (dockerd 1.7-27, `docker-proxy` or the older
/// `docker-proxy` under /usr/libexec/docker): Go flags `-proto tcp -host-ip 0.0.0.0
/// -host-port 8080 -container-ip 172.17.0.2 -container-port 80`, each also accepted as
/// `--flag value` or `-flag=value`; other flags (`-use-listen-fd`) are ignored.
public enum DockerProxyCommand {
  /// The publication one proxy's argv (split on spaces: no value here holds one) makes, or nil
  /// when a flag it needs is missing or not a port.
  public static func publication(_ arguments: [Substring], pid: Int32? = nil) -> PortPublication? {
    var values: [String: String] = [:]
    var index = 0
    while index < arguments.count {
      var flag = arguments[index]
      index += 1
      guard flag.hasPrefix("-") else { continue }
      flag = flag.drop { $0 == "-" }
      if let equals = flag.firstIndex(of: "=") {
        values[String(flag[..<equals])] = String(flag[flag.index(after: equals)...])
      } else if index < arguments.count, !arguments[index].hasPrefix("-") {
        values[String(flag)] = String(arguments[index])
        index += 1
      }
    }
    guard let hostPort = values["host-port"].flatMap({ UInt16($0) }), let containerPort = values["container-port"].flatMap({ UInt16($0) }),
      let containerAddress = values["container-ip"], !containerAddress.isEmpty
    else { return nil }
    let proto: SocketProtocol
    switch values["proto"] ?? "tcp" {
    case "tcp", "tcp4", "tcp6": proto = .tcp
    case "udp", "udp4", "udp6": proto = .udp
    case "sctp": proto = .sctp
    default: return nil
    }
    return PortPublication(
      proto: proto, hostAddress: values["host-ip"] ?? "0.0.0.0", hostPort: hostPort, containerAddress: containerAddress,
      containerPort: containerPort, sources: [.dockerProxy], proxyPID: pid)
  }
}
