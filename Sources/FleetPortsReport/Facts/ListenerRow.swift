import FleetPortsCore

/// One listening socket as every report shows it: protocol, bind, port, owners and reach.
struct ListenerRow {
  var proto: SocketProtocol
  /// The bind address, or for Unix sockets the path (`@name` when abstract).
  var bind: String
  var port: UInt16?
  var processes: String
  var user: String
  /// nil for Unix sockets: reachable only on the host.
  var reach: ReachClass?
  var receiveQueue: UInt64?
  /// The Unix socket's file mode, where the probe saw it.
  var mode: String?

  /// `tcp 0.0.0.0:80`, `tcp [::]:443`, `unix /run/app.sock`.
  var socketText: String {
    switch proto {
    case .unix: return "unix \(bind)"
    default:
      let portText = port.map(String.init) ?? "*"
      return bind.contains(":") ? "\(proto.rawValue) [\(bind)]:\(portText)" : "\(proto.rawValue) \(bind):\(portText)"
    }
  }

  var reachText: String { reach?.rawValue ?? "local" }

  init(_ socket: SocketRecord, addresses: [InterfaceAddress], modes: [String: String]) {
    proto = socket.proto
    if socket.proto == .unix {
      let path = socket.unix?.path ?? "?"
      bind = socket.unix?.isAbstract == true ? "@" + path : path
      port = nil
      reach = nil
      mode = modes[path]
    } else {
      bind = socket.local.map { "\($0.address)" } ?? "?"
      port = socket.local?.port
      reach = socket.local.map { ListenerReach.classify($0.address, hostAddresses: addresses, v6Only: socket.ipv6Only) }
      mode = nil
    }
    processes = socket.processes.map { process in process.pid.map { "\(process.name) (\($0))" } ?? process.name }.joined(separator: ", ")
    if let name = socket.user {
      user = name
    } else if let uid = socket.uid {
      user = uid == 0 ? "root" : "uid \(uid)"
    } else {
      user = ""
    }
    receiveQueue = socket.receiveQueue
  }
}

extension FindingSocket {
  /// The socket as reports and SARIF name it: `tcp 0.0.0.0:5432`, `unix /run/app.sock`.
  var text: String {
    switch proto {
    case .unix: return "unix \(address)"
    default:
      let portText = port.map(String.init) ?? "*"
      return address.contains(":") ? "\(proto.rawValue) [\(address)]:\(portText)" : "\(proto.rawValue) \(address):\(portText)"
    }
  }
}
