/// Builds the shell command line for `ProxyCommand` as OpenSSH expands it (`man ssh_config`,
/// TOKENS: `%h` host, `%p` port, `%r` remote user, `%n` the name as given, `%%`). Values are
/// pasted as written, as OpenSSH pastes them, so `"%h:%p"` and `'%h'` in a template mean
/// what they mean to ssh; for safety every value must consist of characters no shell
/// interprets, quoted or not (`isSafe`: letters, digits and `._-:@+%[]`, OpenSSH 9.6's rule
/// for host and user names, with IPv6 brackets and zones), so a host name from an inventory
/// or ssh_config can never add shell syntax. The line is prefixed with `exec` as OpenSSH
/// does, so the shell becomes the command.
public enum ProxyCommandLine {
  /// `template` with its tokens replaced by quoted values.
  /// - Parameters:
  ///   - template: the ProxyCommand value (not `none`).
  ///   - host: the address connected to (`HostName`).
  ///   - port: the SSH port.
  ///   - user: the login user.
  ///   - alias: the name the host was given (the inventory name).
  /// - Returns: `exec <expanded template>`, for `/bin/sh -c`.
  /// - Throws: `ProxyRouteError.unknownToken` for any other `%x` (OpenSSH refuses those too);
  ///   `ProxyRouteError.unsafeValue` for a value with a character a shell would interpret.
  public static func expand(_ template: String, host: String, port: Int, user: String, alias: String) throws(ProxyRouteError) -> String {
    let values: [Character: String] = ["h": host, "p": String(port), "r": user, "n": alias]
    var line = ""
    var percent = false
    for character in template {
      if percent {
        percent = false
        if character == "%" {
          line.append("%")
        } else if let value = values[character] {
          guard isSafe(value) else { throw .unsafeValue(command: template, token: character, value: value) }
          line += value
        } else {
          throw .unknownToken(command: template, token: character)
        }
      } else if character == "%" {
        percent = true
      } else {
        line.append(character)
      }
    }
    if percent { line.append("%") }
    return "exec " + line
  }

  /// True when `value` holds only letters, digits and `._-:@+%[]`: nothing a shell reads
  /// specially inside or outside quotes, and no space.
  public static func isSafe(_ value: String) -> Bool {
    !value.isEmpty
      && value.unicodeScalars.allSatisfy { scalar in
        (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || (scalar >= "0" && scalar <= "9")
          || "._-:@+%[]".unicodeScalars.contains(scalar)
      }
  }

  /// `value` as one single-quoted shell word: `it's` → `'it'\''s'`.
  public static func shellQuoted(_ value: String) -> String {
    "'" + value.replacingAll("'", with: "'\\''") + "'"
  }
}

extension String {
  /// Every `target` replaced by `replacement` (Foundation-free, as the core is).
  fileprivate func replacingAll(_ target: Character, with replacement: String) -> String {
    var result = ""
    for character in self { if character == target { result += replacement } else { result.append(character) } }
    return result
  }
}
