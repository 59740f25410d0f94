/// Which part of an inventory one `fleetports scan` takes when a fleet is split between
/// several controllers: `--shard K/N` (a stable hash of each host's inventory name) or
/// `--shard-group GROUP` (the hosts of one inventory group). Every shard's scan is stored
/// with its `label`, so `report --fleet` can put the fleet back together.
public enum ShardSelection: Hashable, Sendable {
  /// Shard `index` (1-based) of `count`: the hosts whose `ShardHash.fnv1a64(name) % count`
  /// is `index - 1`.
  case hash(index: Int, count: Int)
  /// The hosts that belong to this inventory group.
  case group(String)

  /// How the shard is stored and shown: `2/4`, or `group:eu-west`.
  public var label: String {
    switch self {
    case .hash(let index, let count): return "\(index)/\(count)"
    case .group(let name): return "group:\(name)"
    }
  }

  /// Whether the host `name` (in `groups`) belongs to this shard.
  public func contains(name: String, groups: [String]) -> Bool {
    switch self {
    case .hash(let index, let count): return Int(ShardHash.fnv1a64(name) % UInt64(count)) == index - 1
    case .group(let group): return groups.contains(group)
    }
  }

  /// `K/N` as `--shard` takes it: 1 ≤ K ≤ N ≤ 4096. nil for anything else.
  public static func parse(_ text: String) -> ShardSelection? {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 1, count <= 4096, index >= 1, index <= count
    else { return nil }
    return .hash(index: index, count: count)
  }

  /// A stored label read back: `(K, N)` for a hash shard's `K/N`, nil for a group's label.
  public static func hashLabel(_ label: String) -> (index: Int, count: Int)? {
    guard case .hash(let index, let count) = parse(label) else { return nil }
    return (index, count)
  }
}

/// The host name hash shards are cut by: 64-bit FNV-1a over the name's UTF-8 bytes. Swift's
/// `hashValue` is seeded per process, so two controllers (or two runs) would disagree; this
/// one gives every host the same shard everywhere, in any version.
public enum ShardHash {
  /// FNV-1a, 64 bits (offset basis 0xcbf29ce484222325, prime 0x100000001b3).
  public static func fnv1a64(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
      hash ^= UInt64(byte)
      hash = hash &* 0x0000_0100_0000_01b3
    }
    return hash
  }
}
