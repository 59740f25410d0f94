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

/// The model's parts as scan.json spells them, at a socket's depth in `parse --json`'s array:
/// a socket at level 2 (keys at 3, endpoint and owner keys at 4 and 5).
extension JSONOutput {

  mutating func socket(_ record: UnsafePointer<SocketRecord>) {
    write("{\n      \"proto\" : ")
    enumString(record.pointee.proto.rawValue)
    enumField(",\n      \"family\" : ", record.pointee.family?.rawValue)
    enumField(",\n      \"state\" : ", record.pointee.state?.rawValue)
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
    stringField(",\n      \"user\" : ", record.pointee.user)
    // The two arrays written here, not through a generic helper taking a closure: measured
    // 5% slower on `parse --json` of 200,000 ss lines.
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
    decimalField(",\n      \"listenBacklog\" : ", record.pointee.listenBacklog)
    if let value = record.pointee.ipv6Only {
      write(",\n      \"ipv6Only\" : ")
      if value { write("true") } else { write("false") }
    }
    stringField(",\n      \"netid\" : ", record.pointee.netid)
    decimalField(",\n      \"ipProtocol\" : ", record.pointee.ipProtocol.map(UInt64.init))
    stringField(",\n      \"cgroup\" : ", record.pointee.cgroup)
    decimalField(",\n      \"netns\" : ", record.pointee.netns)
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
      put(34)
      octet(octets.0)
      put(46)
      octet(octets.1)
      put(46)
      octet(octets.2)
      put(46)
      octet(octets.3)
      put(34)
    } else {
      string(endpoint.address.description)
    }
    decimalField(",\n        \"port\" : ", endpoint.port.map(UInt64.init))
    stringField(",\n        \"serviceName\" : ", endpoint.serviceName)
    write("\n      }")
  }

  mutating func owningProcess(_ process: OwningProcess) {
    write("{\n          \"name\" : ")
    string(process.name)
    signedField(",\n          \"pid\" : ", process.pid.map(Int64.init))
    signedField(",\n          \"fd\" : ", process.fd.map(Int64.init))
    stringField(",\n          \"toolName\" : ", process.toolName)
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
    enumField(",\n        \"type\" : ", unix.type?.rawValue)
    decimalField(",\n        \"peerInode\" : ", unix.peerInode)
    write("\n      }")
  }
}
