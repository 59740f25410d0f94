/// The one text spelling of a socket and of its parts, used by every report, the terminal,
/// the history and the diff: `tcp 0.0.0.0:5432`, `udp [::]:53`, `tcp *:22` (ss's dual-stack
/// wildcard), `unix /run/x.sock`, `unix @abstract`.
public enum SocketText {
  /// `tcp 0.0.0.0:5432`, `udp [fe80::1%eth0]:546`, `unix /run/x.sock`. `bind` is a bind
  /// address as `bind(_:)` spells it, or a Unix path; a missing port is `*`.
  public static func socket(proto: SocketProtocol, bind: String, port: UInt16?) -> String {
    socket(kind: proto.rawValue, bind: bind, port: port)
  }

  /// The same with the kind as text: a protocol's name, or a netid the tool printed (`nl`, `v_str`).
  public static func socket(kind: String, bind: String, port: UInt16?) -> String {
    if kind == SocketProtocol.unix.rawValue { return "unix \(bind)" }
    return "\(kind) \(endpoint(bind: bind, port: port))"
  }

  /// A socket record in the one spelling. A kind with no case of its own is spelled as the tool
  /// printed it (`nl`, `p_raw`, `v_str`).
  public static func socket(_ record: SocketRecord) -> String {
    socket(kind: record.proto == .other ? record.kindName : record.proto.rawValue, bind: bind(of: record), port: port(of: record))
  }

  /// A record's bind: its bind address, or for a Unix socket its path; `?` when the tool printed none.
  public static func bind(of record: SocketRecord) -> String {
    if let unix = record.unix { return bind(unix) }
    return record.local.map { bind($0.address) } ?? "?"
  }

  /// A record's port; for a raw socket the IP protocol it receives (1 ICMP, 58 ICMPv6), which
  /// `ss -n` and /proc/net print in its place; nil for Unix sockets and where the tool printed `*`.
  public static func port(of record: SocketRecord) -> UInt16? {
    record.local?.port ?? (record.proto == .raw ? record.ipProtocol.map(UInt16.init) : nil)
  }

  /// `0.0.0.0:5432`, `[::]:53`: IPv6 addresses (anything with a colon) in brackets.
  public static func endpoint(bind: String, port: UInt16?) -> String {
    let portText = port.map(String.init) ?? "*"
    return bind.contains(":") ? "[\(bind)]:\(portText)" : "\(bind):\(portText)"
  }

  /// A bind address as the tools print it: `0.0.0.0`, `::`, `*` (either family), `10.0.0.5`,
  /// `fe80::1%eth0`, `::ffff:10.0.0.5`.
  public static func bind(_ address: HostAddress) -> String { address.description }

  /// A Unix socket's bind: its path, `@name` when abstract, `(unbound)` without one.
  public static func bind(_ unix: UnixSocketDetails) -> String {
    guard let path = unix.path else { return "(unbound)" }
    return unix.isAbstract ? "@" + path : path
  }

  /// The socket's user: a name the tool printed, `root` for uid 0, else `uid 1000`; nil when unknown.
  public static func user(_ socket: SocketRecord) -> String? {
    if let user = socket.user { return user }
    guard let uid = socket.uid else { return nil }
    return uid == 0 ? "root" : "uid \(uid)"
  }

  /// `owned by postgres (pid 812), postgres (pid 813)`, the first three and a count of the rest;
  /// `owner unknown` when no process is known.
  public static func owners(_ socket: SocketRecord) -> String {
    guard !socket.processes.isEmpty else { return "owner unknown" }
    let names = socket.processes.prefix(3).map { process in
      process.pid.map { "\(process.name) (pid \($0))" } ?? process.name
    }
    let more = socket.processes.count > 3 ? " and \(socket.processes.count - 3) more" : ""
    return "owned by " + names.joined(separator: ", ") + more
  }
}
