/// `fleetports parse --json`'s bytes: a `SocketParse` as `StreamingJSONEncoder` writes it (the
/// same keys in the same order, the same pretty-printing), with the sockets written directly.
///
/// Going through `Encodable` costs about 15 µs a socket (a keyed container, a box and an
/// existential per field); a 200,000-socket capture then took seconds to print although it
/// parses in a tenth of one. Here each `SocketRecord` is written field by field into one byte
/// buffer. The shape must stay the one `Codable` synthesises for `SocketRecord`, `Endpoint`,
/// `OwningProcess` and `UnixSocketDetails` (`ContainerIdentity` goes through `Codable`; optionals left out when nil, keys in declaration
/// order): `SocketParseJSONTests` decodes this output back with `JSONDecoder` and compares it
/// with the parse, and compares the bytes with `StreamingJSONEncoder`'s, on real captures, so a
/// field added to the model and not here fails there. The one difference: `dataLoss` (a Set)
/// is written sorted, where `Encodable` writes it in the set's random order.
///
///     let bytes = try SocketParseJSON.encode(CaptureParser.parse(text)!)
public enum SocketParseJSON {
  /// The JSON text of `parsed`, UTF-8, without a final newline. Throws only what
  /// `StreamingJSONEncoder` throws for the counters and the report (a non-finite number).
  public static func encode(_ parsed: SocketParse) throws -> [UInt8] {
    var whole: [UInt8] = []
    try encode(parsed, chunkSize: Int.max) { whole.append(contentsOf: $0) }
    return whole
  }

  /// The same text handed to `write` in pieces of about `chunkSize` bytes (at least one
  /// socket's), so a large capture is printed without holding all of its JSON: the buffer is
  /// reused, its pages stay warm. Pieces arrive in order; their concatenation is `encode(_:)`.
  public static func encode(_ parsed: SocketParse, chunkSize: Int, write: ([UInt8]) -> Void) throws {
    var out = JSONText()
    out.bytes.reserveCapacity(min(chunkSize, 256 + parsed.sockets.count * 480) + 4096)
    out.bytes.append(UInt8(ascii: "{"))
    out.key("format", level: 1, first: true)
    out.string(parsed.format.rawValue)
    out.key("sockets", level: 1)
    if parsed.sockets.isEmpty {
      out.bytes.append(contentsOf: [91, 93])  // []
    } else {
      out.bytes.append(UInt8(ascii: "["))
      for (index, socket) in parsed.sockets.enumerated() {
        if index > 0 { out.bytes.append(UInt8(ascii: ",")) }
        out.newline(2)
        out.socket(socket, level: 2)
        if out.bytes.count >= chunkSize {
          write(out.bytes)
          out.bytes.removeAll(keepingCapacity: true)
        }
      }
      out.newline(1)
      out.bytes.append(UInt8(ascii: "]"))
    }
    out.key("counters", level: 1)
    out.nested(try StreamingJSONEncoder.encode(parsed.counters), level: 1)
    out.key("report", level: 1)
    out.nested(try StreamingJSONEncoder.encode(parsed.report), level: 1)
    out.newline(0)
    out.bytes.append(UInt8(ascii: "}"))
    write(out.bytes)
  }
}

/// A byte buffer with `StreamingJSONEncoder`'s layout: two-space indentation, `"key" : value`.
/// A struct, so appending is a plain array append (no class property access to check).
private struct JSONText {
  var bytes: [UInt8] = []

  mutating func newline(_ level: Int) {
    let count = 1 + level * 2
    if count <= Self.indentation.utf8CodeUnitCount {
      bytes.append(contentsOf: UnsafeBufferPointer(start: Self.indentation.utf8Start, count: count))
    } else {
      bytes.append(10)
      bytes.append(contentsOf: repeatElement(32, count: level * 2))
    }
  }

  /// A newline and the spaces of the deepest level a socket reaches, sliced per level.
  static let indentation: StaticString = "\n                "

  /// `,` (unless first), a newline at `level`, `"name" : `. Keys are ASCII names: no escaping.
  mutating func key(_ name: StaticString, level: Int, first: Bool = false) {
    if !first { bytes.append(UInt8(ascii: ",")) }
    newline(level)
    bytes.append(34)
    bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
    bytes.append(contentsOf: [34, 32, 58, 32])  // `" : `
  }

  /// A value encoded at level 0 placed at `level`: every line after the first indented more.
  /// (JSON text has newlines only between tokens; strings carry `\n` escaped.)
  mutating func nested(_ value: [UInt8], level: Int) {
    for byte in value {
      bytes.append(byte)
      if byte == 10 { bytes.append(contentsOf: repeatElement(32, count: level * 2)) }
    }
  }

  mutating func socket(_ socket: SocketRecord, level: Int) {
    let inner = level + 1
    bytes.append(UInt8(ascii: "{"))
    key("proto", level: inner, first: true)
    string(socket.proto.rawValue)
    if let family = socket.family {
      key("family", level: inner)
      string(family.rawValue)
    }
    if let state = socket.state {
      key("state", level: inner)
      string(state.rawValue)
    }
    if let local = socket.local {
      key("local", level: inner)
      endpoint(local, level: inner)
    }
    if let peer = socket.peer {
      key("peer", level: inner)
      endpoint(peer, level: inner)
    }
    if let value = socket.receiveQueue {
      key("receiveQueue", level: inner)
      decimal(value)
    }
    if let value = socket.sendQueue {
      key("sendQueue", level: inner)
      decimal(value)
    }
    if let value = socket.inode {
      key("inode", level: inner)
      decimal(UInt64(value))
    }
    if let value = socket.uid {
      key("uid", level: inner)
      decimal(UInt64(value))
    }
    if let user = socket.user {
      key("user", level: inner)
      string(user)
    }
    key("processes", level: inner)
    array(socket.processes, level: inner) { $0.owningProcess($1, level: inner + 1) }
    if let unix = socket.unix {
      key("unix", level: inner)
      unixDetails(unix, level: inner)
    }
    key("dataLoss", level: inner)
    array(socket.dataLoss.map(\.rawValue).sorted(), level: inner) { $0.string($1) }
    if let value = socket.listenBacklog {
      key("listenBacklog", level: inner)
      decimal(value)
    }
    if let value = socket.ipv6Only {
      key("ipv6Only", level: inner)
      bytes.append(contentsOf: value ? Array("true".utf8) : Array("false".utf8))
    }
    if let value = socket.netid {
      key("netid", level: inner)
      string(value)
    }
    if let value = socket.ipProtocol {
      key("ipProtocol", level: inner)
      decimal(UInt64(value))
    }
    if let value = socket.cgroup {
      key("cgroup", level: inner)
      string(value)
    }
    if let value = socket.netns {
      key("netns", level: inner)
      decimal(value)
    }
    if let value = socket.container {
      // Rare (a container's socket) and nested: through the Codable path.
      key("container", level: inner)
      nested((try? StreamingJSONEncoder.encode(value)) ?? Array("null".utf8), level: inner)
    }
    newline(level)
    bytes.append(UInt8(ascii: "}"))
  }

  /// `[]`, or `[`, each element on a line of its own one level in, and `]` back at `level`.
  mutating func array<Element>(_ elements: [Element], level: Int, _ write: (inout JSONText, Element) -> Void) {
    guard !elements.isEmpty else {
      bytes.append(contentsOf: [91, 93])
      return
    }
    bytes.append(UInt8(ascii: "["))
    for (index, element) in elements.enumerated() {
      if index > 0 { bytes.append(UInt8(ascii: ",")) }
      newline(level + 1)
      write(&self, element)
    }
    newline(level)
    bytes.append(UInt8(ascii: "]"))
  }

  mutating func endpoint(_ endpoint: Endpoint, level: Int) {
    bytes.append(UInt8(ascii: "{"))
    key("address", level: level + 1, first: true)
    if case .ipv4(let address, zone: nil) = endpoint.address {
      // Most addresses: four numbers, written without a String in between.
      let octets = address.octets
      bytes.append(34)
      decimal(UInt64(octets.0))
      bytes.append(46)
      decimal(UInt64(octets.1))
      bytes.append(46)
      decimal(UInt64(octets.2))
      bytes.append(46)
      decimal(UInt64(octets.3))
      bytes.append(34)
    } else {
      string(endpoint.address.description)
    }
    if let port = endpoint.port {
      key("port", level: level + 1)
      decimal(UInt64(port))
    }
    if let name = endpoint.serviceName {
      key("serviceName", level: level + 1)
      string(name)
    }
    newline(level)
    bytes.append(UInt8(ascii: "}"))
  }

  mutating func owningProcess(_ process: OwningProcess, level: Int) {
    bytes.append(UInt8(ascii: "{"))
    key("name", level: level + 1, first: true)
    string(process.name)
    if let pid = process.pid {
      key("pid", level: level + 1)
      signed(Int64(pid))
    }
    if let fd = process.fd {
      key("fd", level: level + 1)
      signed(Int64(fd))
    }
    if let toolName = process.toolName {
      key("toolName", level: level + 1)
      string(toolName)
    }
    newline(level)
    bytes.append(UInt8(ascii: "}"))
  }

  mutating func unixDetails(_ unix: UnixSocketDetails, level: Int) {
    bytes.append(UInt8(ascii: "{"))
    var first = true
    if let path = unix.path {
      key("path", level: level + 1, first: true)
      string(path)
      first = false
    }
    key("isAbstract", level: level + 1, first: first)
    bytes.append(contentsOf: unix.isAbstract ? Array("true".utf8) : Array("false".utf8))
    if let type = unix.type {
      key("type", level: level + 1)
      string(type.rawValue)
    }
    if let peer = unix.peerInode {
      key("peerInode", level: level + 1)
      decimal(peer)
    }
    newline(level)
    bytes.append(UInt8(ascii: "}"))
  }

  mutating func signed(_ value: Int64) {
    if value < 0 { bytes.append(45) }
    decimal(value.magnitude)
  }

  mutating func decimal(_ value: UInt64) {
    JSONBytes.appendDecimal(value, to: &bytes)
  }

  mutating func string(_ value: String) {
    JSONBytes.appendString(value, to: &bytes)
  }
}
