/// An interface name as a rule matches it: exact (`eth0`), or a prefix when it ends in iptables'
/// `+` or nftables' `*` (`veth+`, `"br-*"`).
public struct InterfacePattern: Hashable, Sendable, CustomStringConvertible {
  /// The name, without the wildcard character.
  public var name: String
  /// True when any interface whose name starts with `name` matches.
  public var isPrefix: Bool

  public init(name: String, isPrefix: Bool) {
    self.name = name
    self.isPrefix = isPrefix
  }

  /// Parses `eth0`, `eth+` or `eth*`.
  public init(_ text: String) {
    if let last = text.last, last == "+" || last == "*" {
      self.init(name: String(text.dropLast()), isPrefix: true)
    } else {
      self.init(name: text, isPrefix: false)
    }
  }

  public func matches(_ interface: String) -> Bool { isPrefix ? interface.hasPrefix(name) : interface == name }

  public var description: String { isPrefix ? name + "+" : name }
}
