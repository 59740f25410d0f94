import FleetPortsSSH
import Foundation
import LabSupport

/// Clients and files for transport tests against the lab's real sshd.
enum LabSSH {
  static func client(_ lab: LabFleet, knownHostsPath: String? = nil, checking: HostKeyChecking = .strict, identityPath: String? = nil, deadlines: SSHDeadlines = SSHDeadlines()) throws -> SSHClient {
    let path = identityPath ?? lab.identityPath
    let key = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    return SSHClient(
      knownHosts: try KnownHostsStore(path: knownHostsPath ?? lab.knownHostsPath), checking: checking,
      credentials: SSHCredentials(identities: [SSHIdentity(path: path, privateKey: key)]), deadlines: deadlines)
  }

  static func target(_ host: LabHost, user: String = "root", ipv6: Bool = false) -> SSHTarget {
    SSHTarget(host: ipv6 ? host.ipv6 : host.ipv4, port: 22, user: user)
  }

  /// A scratch directory for one test, removed by the caller.
  static func scratch() throws -> String {
    let path = NSTemporaryDirectory() + "fleetports-ssh-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  /// Runs a local program (ssh-keygen) and returns its exit status.
  @discardableResult
  static func local(_ arguments: [String]) throws -> Int32 {
    try ChildProcess.run(["/usr/bin/env"] + arguments, timeout: .seconds(60)).status
  }

  /// The known_hosts lines the lab wrote for one host.
  static func knownHostLines(_ lab: LabFleet, for host: LabHost) throws -> [String] {
    let text = try String(contentsOfFile: lab.knownHostsPath, encoding: .utf8)
    return text.split(separator: "\n").map(String.init).filter { $0.split(separator: " ").first?.split(separator: ",").contains { $0 == host.ipv4 } == true }
  }
}
