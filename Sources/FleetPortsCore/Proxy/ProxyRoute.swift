/// How a host is reached: directly, through a chain of SSH jump hosts (OpenSSH's
/// `ProxyJump` / `ssh -J`), or through a local command whose stdin and stdout carry the
/// connection (`ProxyCommand`).
public enum ProxyRoute: Sendable, Hashable {
  /// A TCP connection from this machine.
  case direct
  /// Through these jump hosts, first hop first: hop 1 is reached directly, hop n through a
  /// `direct-tcpip` channel on hop n−1's session, the target through one on the last hop's.
  case jump([JumpHop])
  /// `/bin/sh -c` runs this command line (tokens already expanded and shell-quoted); its
  /// stdin and stdout are the connection. `template` is the ssh_config text, for messages.
  case command(line: String, template: String)

  /// A short description for messages and the scan's per-server key: `direct`,
  /// `via bastion → inner`, `via ProxyCommand`.
  public var summary: String {
    switch self {
    case .direct: return "direct"
    case .jump(let hops): return "via " + hops.map(\.label).joined(separator: " → ")
    case .command(_, let template): return "via ProxyCommand \(template)"
    }
  }
}

/// One jump host after ssh_config has been applied to its name, as `ssh -J` resolves it.
public struct JumpHop: Sendable, Hashable {
  /// The name as the ProxyJump list wrote it (the ssh_config alias).
  public var name: String
  /// What to connect to (`HostName`, or the name).
  public var address: String
  public var port: Int
  public var user: String
  /// The alias's `IdentityFile`s, expanded; empty: the scan's default identities.
  public var identityFiles: [String]

  public init(name: String, address: String, port: Int, user: String, identityFiles: [String] = []) {
    self.name = name
    self.address = address
    self.port = port
    self.user = user
    self.identityFiles = identityFiles
  }

  /// `name` alone when it is what is connected to on port 22, else `name (address:port)`.
  public var label: String {
    address == name && port == 22 ? name : "\(name) (\(HostPort.format(address, port)))"
  }
}

/// `host:port`, with an IPv6 address in brackets.
enum HostPort {
  static func format(_ host: String, _ port: Int) -> String {
    host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
  }
}
