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
/// A socket's JSON is about three times its text in /proc/net/tcp, so this writer is the
/// larger half of `parse --json`'s time: it writes through a raw pointer into a buffer it
/// reuses, and each key with its line break and indentation is one constant (sockets always
/// sit at the same depth). `ParseOutputDigestTests` holds the bytes to those of 2026-11-30.
///
///     let bytes = try SocketParseJSON.encode(CaptureParser.parse(text)!)
public enum SocketParseJSON {
  /// The JSON text of `parsed`, UTF-8, without a final newline. Throws only what
  /// `StreamingJSONEncoder` throws for the counters and the report (a non-finite number).
  public static func encode(_ parsed: SocketParse) throws -> [UInt8] {
    var whole: [UInt8] = []
    try stream(parsed, chunkSize: 1 << 20) { whole.append(contentsOf: $0) }
    return whole
  }

  /// The same text handed to `write` in pieces of about `chunkSize` bytes (at least one
  /// socket's), so a large capture is printed without holding all of its JSON: the buffer is
  /// reused, its pages stay warm. Pieces arrive in order; their concatenation is `encode(_:)`.
  public static func encode(_ parsed: SocketParse, chunkSize: Int, write: ([UInt8]) -> Void) throws {
    try stream(parsed, chunkSize: chunkSize) { write(Array($0)) }
  }

  /// As `encode(_:chunkSize:write:)`, each piece lent as the writer's own buffer (valid only
  /// during the call): what `fleetports parse --json` hands to write(2) without a copy.
  public static func stream(
    _ parsed: SocketParse, chunkSize: Int, write: (UnsafeRawBufferPointer) -> Void
  ) throws {
    let chunk = max(1, min(chunkSize, 1 << 24))
    var out = JSONOutput(capacity: chunk + 64 << 10)
    defer { out.deallocate() }
    // The nested values first: they may throw, and nothing is written when they do.
    let counters = try StreamingJSONEncoder.encode(parsed.counters)
    let report = try StreamingJSONEncoder.encode(parsed.report)
    out.write("{\n  \"format\" : ")
    out.enumString(parsed.format.rawValue)
    out.write(",\n  \"sockets\" : ")
    if parsed.sockets.isEmpty {
      out.write("[]")
    } else {
      out.write("[")
      // Each record read in place through a pointer: `for socket in` copied every one (and
      // retained its strings).
      parsed.sockets.withUnsafeBufferPointer { sockets in
        guard let first = sockets.baseAddress else { return }
        for index in sockets.indices {
          out.write(index == 0 ? "\n    " : ",\n    ")
          out.socket(first + index)
          if out.count >= chunk {
            write(out.written)
            out.count = 0
          }
        }
      }
      out.write("\n  ]")
    }
    out.write(",\n  \"counters\" : ")
    out.nested(counters, level: 1)
    out.write(",\n  \"report\" : ")
    out.nested(report, level: 1)
    out.write("\n}")
    write(out.written)
  }
}

/// A growable byte buffer written through a raw pointer, in `StreamingJSONEncoder`'s layout:
/// two-space indentation, `"key" : value`. Each write makes room first (a compare; growing is
/// rare: a socket with very long strings); the caller empties it between sockets.
private struct JSONOutput {
  var base: UnsafeMutablePointer<UInt8>
  var capacity: Int
  var count = 0

  init(capacity: Int) {
    self.capacity = capacity
    base = .allocate(capacity: capacity)
  }

  func deallocate() { base.deallocate() }

  var written: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

  @inline(__always) mutating func reserve(_ extra: Int) {
    if count + extra > capacity { grow(count + extra) }
  }

  mutating func grow(_ needed: Int) {
    let larger = max(needed, capacity * 2)
    let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: larger)
    moved.update(from: base, count: count)
    base.deallocate()
    base = moved
    capacity = larger
  }

  @inline(__always) mutating func byte(_ value: UInt8) {
    reserve(1)
    base[count] = value
    count += 1
  }

  @inline(__always) mutating func write(_ text: StaticString) {
    write(text.utf8Start, text.utf8CodeUnitCount)
  }

  @inline(__always) mutating func write(_ start: UnsafePointer<UInt8>, _ length: Int) {
    reserve(length)
    (base + count).update(from: start, count: length)
    count += length
  }

  /// A value encoded at level 0 placed at `level`: every line after the first indented more.
  /// (JSON text has newlines only between tokens; strings carry `\n` escaped.)
  mutating func nested(_ value: [UInt8], level: Int) {
    for byte in value {
      self.byte(byte)
      if byte == 10 {
        for _ in 0..<(level * 2) { self.byte(32) }
      }
    }
  }

  // MARK: a socket, at level 2 (keys at 3, endpoint and owner keys at 4 and 5)

  mutating func socket(_ record: UnsafePointer<SocketRecord>) {
    write("{\n      \"proto\" : ")
    enumString(record.pointee.proto.rawValue)
    if let family = record.pointee.family {
      write(",\n      \"family\" : ")
      enumString(family.rawValue)
    }
    if let state = record.pointee.state {
      write(",\n      \"state\" : ")
      enumString(state.rawValue)
    }
    if let local = record.pointee.local {
      write(",\n      \"local\" : ")
      endpoint(local)
    }
    if let peer = record.pointee.peer {
      write(",\n      \"peer\" : ")
      endpoint(peer)
    }
    decimalField(",\n      \"receiveQueue\" : ", record.pointee.receiveQueue)
    decimalField(",\n      \"sendQueue\" : ", record.pointee.sendQueue)
    decimalField(",\n      \"inode\" : ", record.pointee.inode)
    decimalField(",\n      \"uid\" : ", record.pointee.uid.map(UInt64.init))
    if let user = record.pointee.user {
      write(",\n      \"user\" : ")
      string(user)
    }
    if record.pointee.processes.isEmpty {
      write(",\n      \"processes\" : []")
    } else {
      write(",\n      \"processes\" : [")
      var first = true
      for process in record.pointee.processes {
        write(first ? "\n        " : ",\n        ")
        first = false
        owningProcess(process)
      }
      write("\n      ]")
    }
    if let unix = record.pointee.unix {
      write(",\n      \"unix\" : ")
      unixDetails(unix)
    }
    if record.pointee.dataLoss.isEmpty {
      write(",\n      \"dataLoss\" : []")
    } else {
      write(",\n      \"dataLoss\" : [")
      var first = true
      for loss in record.pointee.dataLoss.map(\.rawValue).sorted() {
        write(first ? "\n        " : ",\n        ")
        first = false
        string(loss)
      }
      write("\n      ]")
    }
    if let value = record.pointee.listenBacklog {
      write(",\n      \"listenBacklog\" : ")
      decimal(value)
    }
    if let value = record.pointee.ipv6Only {
      write(",\n      \"ipv6Only\" : ")
      if value { write("true") } else { write("false") }
    }
    if let value = record.pointee.netid {
      write(",\n      \"netid\" : ")
      string(value)
    }
    if let value = record.pointee.ipProtocol {
      write(",\n      \"ipProtocol\" : ")
      decimal(UInt64(value))
    }
    if let value = record.pointee.cgroup {
      write(",\n      \"cgroup\" : ")
      string(value)
    }
    if let value = record.pointee.netns {
      write(",\n      \"netns\" : ")
      decimal(value)
    }
    if let value = record.pointee.container {
      // Rare (a container's socket) and nested: through the Codable path.
      write(",\n      \"container\" : ")
      nested((try? StreamingJSONEncoder.encode(value)) ?? Array("null".utf8), level: 3)
    }
    write("\n    }")
  }

  mutating func endpoint(_ endpoint: Endpoint) {
    write("{\n        \"address\" : ")
    if case .ipv4(let address, zone: nil) = endpoint.address {
      // Most addresses: four numbers, written without a String in between.
      let octets = address.octets
      reserve(17)
      base[count] = 34
      count += 1
      octet(octets.0)
      base[count] = 46
      count += 1
      octet(octets.1)
      base[count] = 46
      count += 1
      octet(octets.2)
      base[count] = 46
      count += 1
      octet(octets.3)
      base[count] = 34
      count += 1
    } else {
      string(endpoint.address.description)
    }
    if let port = endpoint.port {
      write(",\n        \"port\" : ")
      decimal(UInt64(port))
    }
    if let name = endpoint.serviceName {
      write(",\n        \"serviceName\" : ")
      string(name)
    }
    write("\n      }")
  }

  mutating func owningProcess(_ process: OwningProcess) {
    write("{\n          \"name\" : ")
    string(process.name)
    if let pid = process.pid {
      write(",\n          \"pid\" : ")
      signed(Int64(pid))
    }
    if let fd = process.fd {
      write(",\n          \"fd\" : ")
      signed(Int64(fd))
    }
    if let toolName = process.toolName {
      write(",\n          \"toolName\" : ")
      string(toolName)
    }
    write("\n        }")
  }

  mutating func unixDetails(_ unix: UnixSocketDetails) {
    if let path = unix.path {
      write("{\n        \"path\" : ")
      string(path)
      write(",\n        \"isAbstract\" : ")
    } else {
      write("{\n        \"isAbstract\" : ")
    }
    if unix.isAbstract { write("true") } else { write("false") }
    if let type = unix.type {
      write(",\n        \"type\" : ")
      enumString(type.rawValue)
    }
    if let peer = unix.peerInode {
      write(",\n        \"peerInode\" : ")
      decimal(peer)
    }
    write("\n      }")
  }

  // MARK: values

  /// 0–255 in at most three digits; room reserved by the caller.
  @inline(__always) mutating func octet(_ value: UInt8) {
    if value >= 100 {
      base[count] = 48 + value / 100
      base[count + 1] = 48 + value / 10 % 10
      base[count + 2] = 48 + value % 10
      count += 3
    } else if value >= 10 {
      base[count] = 48 + value / 10
      base[count + 1] = 48 + value % 10
      count += 2
    } else {
      base[count] = 48 + value
      count += 1
    }
  }

  mutating func signed(_ value: Int64) {
    if value < 0 { byte(45) }
    decimal(value.magnitude)
  }

  /// The decimal digits of `value`, as `JSONBytes.appendDecimal` writes them.
  /// `key` (its comma, indentation and colon included) and `value`, when there is a value.
  @inline(__always) mutating func decimalField(_ key: StaticString, _ value: UInt64?) {
    guard let value else { return }
    write(key)
    decimal(value)
  }

  @inline(__always) mutating func decimal(_ value: UInt64) {
    reserve(20)
    if value < 10 {
      base[count] = UInt8(48 + value)
      count += 1
      return
    }
    var digits = 0
    var rest = value
    while rest > 0 {
      digits += 1
      rest /= 10
    }
    rest = value
    var at = count + digits
    while rest > 0 {
      at -= 1
      base[at] = UInt8(48 + rest % 10)
      rest /= 10
    }
    count += digits
  }

  /// A raw value of one of the model's enums: ASCII letters, digits, `-` and `_`, nothing to
  /// escape (the digest test would see an enum spelled otherwise).
  @inline(__always) mutating func enumString(_ value: String) {
    var text = value
    text.withUTF8 { utf8 in
      reserve(utf8.count + 2)
      base[count] = 34
      count += 1
      if let start = utf8.baseAddress { (base + count).update(from: start, count: utf8.count) }
      count += utf8.count
      base[count] = 34
      count += 1
    }
  }

  /// A JSON string as `JSONBytes.appendString` writes it: `"` and `\` escaped, control
  /// characters as \n, \t, \r or \u00XX; everything else (UTF-8 from U+0080 on) as it is.
  mutating func string(_ value: String) {
    var text = value
    text.withUTF8 { utf8 in
      // Six bytes per byte at worst (\u00XX), two quotes.
      reserve(utf8.count * 6 + 2)
      base[count] = 34
      count += 1
      for byte in utf8 {
        if byte >= 32 && byte != 34 && byte != 92 {
          base[count] = byte
          count += 1
          continue
        }
        base[count] = 92
        switch byte {
        case 34: base[count + 1] = 34
        case 92: base[count + 1] = 92
        case 10: base[count + 1] = 110
        case 13: base[count + 1] = 114
        case 9: base[count + 1] = 116
        default:
          let hex: StaticString = "0123456789abcdef"
          base[count + 1] = 117
          base[count + 2] = 48
          base[count + 3] = 48
          base[count + 4] = hex.utf8Start[Int(byte >> 4)]
          base[count + 5] = hex.utf8Start[Int(byte & 15)]
          count += 4
        }
        count += 2
      }
      base[count] = 34
      count += 1
    }
  }
}
