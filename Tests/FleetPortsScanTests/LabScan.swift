import FleetPortsCore
import FleetPortsSSH
import FleetPortsScan
import Foundation
import LabSupport

/// Scans of the lab, the way `fleetports scan` runs them.
enum LabScan {
  static func scanner(_ lab: LabFleet, method: ProbeMethod = .auto, knownHostsPath: String? = nil, timeout: Duration = .seconds(20), identities: [String: SSHIdentity] = [:]) throws -> FleetScanner {
    let key = Array(try Data(contentsOf: URL(fileURLWithPath: lab.identityPath)))
    return FleetScanner(
      knownHosts: try KnownHostsStore(path: knownHostsPath ?? lab.knownHostsPath), checking: .strict,
      identities: identities, defaultIdentities: [SSHIdentity(path: lab.identityPath, privateKey: key)], agentSocket: nil,
      method: method, parallel: 32, deadlines: SSHDeadlines(connect: min(timeout, .seconds(10)), handshakeAndAuth: timeout, command: timeout))
  }

  static func target(_ host: LabHost, user: String = "root", port: Int = 22) -> ScanTarget {
    ScanTarget(name: host.name, address: host.ipv4, port: port, user: user, identityFile: nil, groups: host.groups, sudo: false)
  }

  /// (proto, address, port) of every IP listener, as the truth file writes them.
  struct Listener: Hashable, CustomStringConvertible {
    var proto: String
    var address: String
    var port: Int
    var description: String { "\(proto) \(address):\(port)" }
  }

  static func truth(_ host: LabHost) -> Set<Listener> {
    Set(host.listeners.map { Listener(proto: $0.proto, address: $0.address, port: $0.port) })
  }

  static func listeners(_ snapshot: HostSnapshot) -> [Listener: SocketRecord] {
    var result: [Listener: SocketRecord] = [:]
    for socket in snapshot.listeners where socket.proto == .tcp || socket.proto == .udp {
      guard let local = socket.local, let port = local.port else { continue }
      let address: String
      switch local.address {
      case .wildcard(.ipv4): address = "0.0.0.0"
      case .wildcard: address = "::"
      default: address = local.address.description
      }
      result[Listener(proto: socket.proto.rawValue, address: address, port: Int(port))] = socket
    }
    return result
  }

  static func scratch() throws -> String {
    let path = NSTemporaryDirectory() + "fleetports-scan-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }
}
