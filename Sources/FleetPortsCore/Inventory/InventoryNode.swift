/// A YAML or JSON document as plain values, with the line each came from: what the edge's
/// YAML reader (Yams) hands to `AnsibleTreeInventoryParser`, so this module needs no YAML library.
public indirect enum InventoryNode: Sendable, Hashable {
  /// A mapping's entries in document order.
  public struct Entry: Sendable, Hashable {
    public var key: String
    public var value: InventoryNode
    /// The key's line (1-based); nil when unknown.
    public var line: Int?

    public init(key: String, value: InventoryNode, line: Int?) {
      self.key = key
      self.value = value
      self.line = line
    }
  }

  /// Text as written (numbers and booleans too: `2222`, `true`).
  case scalar(String, line: Int?)
  /// `~`, `null`, or a key with nothing after it.
  case null(line: Int?)
  case mapping([Entry], line: Int?)
  case sequence([InventoryNode], line: Int?)

  /// The line the node starts on, when known.
  public var line: Int? {
    switch self {
    case .scalar(_, let line), .null(let line), .mapping(_, let line), .sequence(_, let line): return line
    }
  }
}
