/// One entry of a ProxyJump list as written: `[user@]host[:port]` or
/// `ssh://[user@]host[:port]` (OpenSSH 8.x `ssh -J` and `ProxyJump`; an IPv6 host in
/// brackets, `[fd00::1]:2222`).
public struct JumpSpec: Sendable, Hashable {
  public var user: String?
  public var host: String
  public var port: Int?

  public init(user: String? = nil, host: String, port: Int? = nil) {
    self.user = user
    self.host = host
    self.port = port
  }

  /// The hops of a comma-separated list, first hop first.
  /// - Parameter list: the value of `ProxyJump` or of `-J` (not `none`; the caller handles it).
  /// - Returns: at least one hop.
  /// - Throws: `ProxyRouteError.invalidJump` naming the entry that is empty, has an empty
  ///   host or user, a port outside 1…65535, or an unclosed bracket.
  public static func parseList(_ list: String) throws(ProxyRouteError) -> [JumpSpec] {
    let entries = list.split(separator: ",", omittingEmptySubsequences: false).map { String($0.trimmingWhitespace()) }
    guard !entries.isEmpty else { throw ProxyRouteError.invalidJump(list: list, entry: list, why: "it is empty") }
    var specs: [JumpSpec] = []
    for entry in entries { specs.append(try parse(entry, list: list)) }
    return specs
  }

  static func parse(_ written: String, list: String) throws(ProxyRouteError) -> JumpSpec {
    func bad(_ why: String) -> ProxyRouteError { .invalidJump(list: list, entry: written, why: why) }
    var text = Substring(written)
    if text.hasPrefix("ssh://") { text = text.dropFirst(6) }
    if text.hasSuffix("/") { text = text.dropLast() }
    guard !text.isEmpty else { throw bad("it is empty") }
    var user: String?
    if let at = text.lastIndex(of: "@") {
      user = String(text[..<at])
      text = text[text.index(after: at)...]
      guard user?.isEmpty == false else { throw bad("the user before @ is empty") }
    }
    var host: Substring
    var portText: Substring?
    if text.hasPrefix("[") {
      guard let close = text.firstIndex(of: "]") else { throw bad("the [ of an IPv6 address is not closed") }
      host = text[text.index(after: text.startIndex)..<close]
      let rest = text[text.index(after: close)...]
      if !rest.isEmpty {
        guard rest.hasPrefix(":") else { throw bad("only :port may follow ]") }
        portText = rest.dropFirst()
      }
    } else if let colon = text.firstIndex(of: ":"), text[text.index(after: colon)...].allSatisfy(\.isNumber) {
      host = text[..<colon]
      portText = text[text.index(after: colon)...]
    } else {
      host = text
    }
    guard !host.isEmpty else { throw bad("the host is empty") }
    var port: Int?
    if let portText {
      guard let number = Int(portText), (1...65535).contains(number) else {
        throw bad("the port '\(portText)' is not a number from 1 to 65535")
      }
      port = number
    }
    return JumpSpec(user: user, host: String(host), port: port)
  }
}

/// Why a host's route through a proxy cannot be built; the host becomes a failed row with
/// this message (it names the ssh_config line or inventory value at fault).
public enum ProxyRouteError: Error, Sendable, Hashable, CustomStringConvertible {
  /// An entry of a ProxyJump list (or `-J`) that is not `[user@]host[:port]`.
  case invalidJump(list: String, entry: String, why: String)
  /// ProxyJump chains that include one another more deeply than `ProxyRouteResolver.maxHops`.
  case tooManyHops(alias: String, limit: Int)
  /// A jump host whose own ssh_config sets ProxyCommand (fleetports chains jumps, not commands).
  case proxyCommandOnJumpHost(jump: String, command: String)
  /// A `%x` token in ProxyCommand that fleetports does not expand.
  case unknownToken(command: String, token: Character)
  /// A value a `%x` token would paste that holds a character a shell interprets.
  case unsafeValue(command: String, token: Character, value: String)

  public var description: String {
    switch self {
    case .invalidJump(let list, let entry, let why):
      return "ProxyJump '\(list)': the entry '\(entry)' is not [user@]host[:port] (\(why))"
    case .tooManyHops(let alias, let limit):
      return "ProxyJump for '\(alias)' chains more than \(limit) jump hosts (jump hosts whose own ProxyJump loops?)"
    case .proxyCommandOnJumpHost(let jump, let command):
      return
        "jump host '\(jump)' is itself reached by ProxyCommand \(command); fleetports chains ProxyJump hosts only: give '\(jump)' a ProxyJump instead"
    case .unknownToken(let command, let token):
      return "ProxyCommand \(command): the token %\(token) is not supported; use %h (host), %p (port), %r (user), %n (alias) or %%"
    case .unsafeValue(let command, let token, let value):
      return
        "ProxyCommand \(command): %\(token) would paste '\(value)', which holds a character a shell interprets; host and user names"
        + " may hold only letters, digits and ._-:@+%[] (as OpenSSH 9.6 requires)"
    }
  }
}
