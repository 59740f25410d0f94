/// ssh_config's algorithm lists (`Ciphers`, `MACs`, `KexAlgorithms`, `HostKeyAlgorithms`) applied
/// to what the SSH library speaks, as OpenSSH applies them to its defaults: `+list` appends,
/// `-list` removes, `^list` puts first, a plain list replaces; names may hold `*` and `?`.
public enum SSHAlgorithmList {
  /// The algorithms to offer, in order.
  /// - Parameters:
  ///   - value: the option's value as written (`aes256-ctr,aes128-ctr`, `-*-cbc`, `+ssh-rsa`).
  ///   - supported: the library's own algorithms, in its order (its defaults).
  /// - Returns: the preference list; empty when none of a plain or `^` list is supported
  ///   (and the host cannot be reached as ssh_config asks).
  public static func apply(_ value: String, to supported: [String]) -> [String] {
    guard let first = value.first else { return supported }
    let body = "+-^".contains(first) ? String(value.dropFirst()) : value
    let patterns = body.split(separator: ",").map { String($0).lowercased() }
    let matches = { (name: String) in patterns.contains { Glob.matches($0, name.lowercased()) } }
    // The named ones in the option's order (a pattern stands for the supported names it matches).
    var named: [String] = []
    for pattern in patterns {
      for name in supported where Glob.matches(pattern, name.lowercased()) && !named.contains(name) { named.append(name) }
    }
    switch first {
    case "+": return supported
    case "-": return supported.filter { !matches($0) }
    case "^": return named.isEmpty ? [] : named + supported.filter { !named.contains($0) }
    default: return named
    }
  }
}
