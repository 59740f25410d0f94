import Testing

@testable import FleetPortsCore

/// The byte-level readers the fast parsers use instead of Strings must read exactly what the
/// String-based ones read.
@Suite struct ParserByteReadersTests {
  /// Every spelling `SocketState(toolSpelling:)` knows, and near misses it refuses.
  static let spellings = [
    "ESTAB", "ESTABLISHED", "SYN-SENT", "SYN_SENT", "SYN-RECV", "SYN_RECV", "SYN-RECEIVED", "SYN_RECEIVED",
    "FIN-WAIT-1", "FIN_WAIT1", "FIN_WAIT_1", "FIN-WAIT-2", "FIN_WAIT2", "FIN_WAIT_2", "TIME-WAIT", "TIME_WAIT",
    "CLOSE", "CLOSED", "CLOSE-WAIT", "CLOSE_WAIT", "LAST-ACK", "LAST_ACK", "LISTEN", "LISTENING", "CLOSING",
    "NEW-SYN-RECV", "NEW_SYN_RECV", "UNCONN", "UNCONNECTED", "IDLE", "CONNECTING", "CONNECTED", "DISCONNECTING",
  ]
  static let nearMisses = ["", "estab", "ESTA", "ESTABB", "LISTEN ", "UNCONNECTE", "CLOSE-", "Listen", "ESTAB\u{301}", "tcp", "0"]

  @Test func theStateReadFromBytesIsTheStateReadFromText() {
    for text in Self.spellings + Self.nearMisses {
      let bytes = Array(text.utf8)
      let fromBytes = bytes.withUnsafeBufferPointer { SSParser.state($0, 0..<$0.count) }
      #expect(fromBytes == SocketState(toolSpelling: Substring(text)), "\(text)")
    }
    #expect(SSParser.stateSpellings.count == Self.spellings.count, "one table entry per spelling")
    for text in Self.spellings {
      #expect(SocketState(toolSpelling: Substring(text)) != nil, "\(text) is a spelling the model knows")
    }
  }

  @Test func lineFieldsAreTheFieldRangesOfTheLine() {
    let lines = [
      "", "   ", "tcp", "tcp   LISTEN 0      4096   0.0.0.0:22   0.0.0.0:*   users:((\"sshd\",pid=1,fd=3))",
      "\tu_str ESTAB\t0 0 * 123 * 456", "a b c d e f g h i j k", "  sl  local_address rem_address   st",
    ]
    for text in lines {
      Array(text.utf8).withUnsafeBufferPointer { line in
        for limit in 0...LineFields.capacity {
          #expect(Array(LineFields(line, limit: limit)) == fieldRanges(line, limit: limit), "\(text) limit \(limit)")
        }
      }
    }
  }
}
