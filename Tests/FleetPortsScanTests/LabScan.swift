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

  /// Every IP listener of a snapshot in the host's own network namespace, by the key the truth
  /// file uses (containers' listeners are ContainerLabTests' to check); the host's UDP client
  /// sockets (`LabHost.withoutUDPClients`) left out, which every method lists among listening
  /// sockets (`OwnerLabTests` checks that the analysis tells them apart).
  static func listeners(_ snapshot: HostSnapshot, of host: LabHost? = nil) -> [ListenerKey: SocketRecord] {
    var result: [ListenerKey: SocketRecord] = [:]
    for socket in snapshot.listeners where socket.netns == nil {
      if let key = ListenerKey(socket) { result[key] = socket }
    }
    guard let host else { return result }
    let kept = host.withoutUDPClients(Set(result.keys))
    return result.filter { kept.contains($0.key) }
  }

  static func scratch() throws -> String {
    let path = NSTemporaryDirectory() + "fleetports-scan-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }
}
