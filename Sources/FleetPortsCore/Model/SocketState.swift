/// A socket's state in the kernel's vocabulary, whatever spelling the tool used.
public enum SocketState: String, Hashable, Sendable, Codable, CaseIterable {
  case established = "ESTABLISHED"
  case synSent = "SYN_SENT"
  case synReceived = "SYN_RECV"
  case finWait1 = "FIN_WAIT1"
  case finWait2 = "FIN_WAIT2"
  case timeWait = "TIME_WAIT"
  case close = "CLOSE"
  case closeWait = "CLOSE_WAIT"
  case lastAck = "LAST_ACK"
  case listen = "LISTEN"
  case closing = "CLOSING"
  case newSynReceived = "NEW_SYN_RECV"
  /// A datagram socket with no peer, or a Unix socket not connected.
  case unconnected = "UNCONN"
  case connecting = "CONNECTING"
  case disconnecting = "DISCONNECTING"

  /// The TCP state for a hex code of /proc/net/tcp (`include/net/tcp_states.h`).
  public init?(procCode: UInt8) {
    switch procCode {
    case 0x01: self = .established
    case 0x02: self = .synSent
    case 0x03: self = .synReceived
    case 0x04: self = .finWait1
    case 0x05: self = .finWait2
    case 0x06: self = .timeWait
    case 0x07: self = .close
    case 0x08: self = .closeWait
    case 0x09: self = .lastAck
    case 0x0A: self = .listen
    case 0x0B: self = .closing
    case 0x0C: self = .newSynReceived
    default: return nil
    }
  }

  /// Reads the spellings of ss (`ESTAB`, `FIN-WAIT-1`, `UNCONN`), net-tools and busybox
  /// netstat (`ESTABLISHED`, `FIN_WAIT1`, `LISTENING`), and lsof (`CLOSE_WAIT`, `IDLE`).
  public init?(toolSpelling text: Substring) {
    switch text {
    case "ESTAB", "ESTABLISHED": self = .established
    case "SYN-SENT", "SYN_SENT": self = .synSent
    case "SYN-RECV", "SYN_RECV", "SYN-RECEIVED", "SYN_RECEIVED": self = .synReceived
    case "FIN-WAIT-1", "FIN_WAIT1", "FIN_WAIT_1": self = .finWait1
    case "FIN-WAIT-2", "FIN_WAIT2", "FIN_WAIT_2": self = .finWait2
    case "TIME-WAIT", "TIME_WAIT": self = .timeWait
    case "CLOSE", "CLOSED": self = .close
    case "CLOSE-WAIT", "CLOSE_WAIT": self = .closeWait
    case "LAST-ACK", "LAST_ACK": self = .lastAck
    case "LISTEN", "LISTENING": self = .listen
    case "CLOSING": self = .closing
    case "NEW-SYN-RECV", "NEW_SYN_RECV": self = .newSynReceived
    case "UNCONN", "UNCONNECTED", "IDLE": self = .unconnected
    case "CONNECTING": self = .connecting
    case "CONNECTED": self = .established
    case "DISCONNECTING": self = .disconnecting
    default: return nil
    }
  }
}
