/// `unix-socket-abstract`: a listening abstract Unix socket. No file mode protects it: any
/// process in the same network namespace can connect, whatever its user.
enum AbstractUnixSocketRule {
  static let info = RuleInfo(
    id: "unix-socket-abstract", severity: .info, title: "Abstract Unix socket (no file permissions)",
    triggers: "a listening abstract Unix socket (`@name`), except well-known system ones (@/org/freedesktop/…, X11, D-Bus, systemd)")

  /// Abstract names of system components that check their callers themselves.
  static let wellKnownPrefixes: [String] = [
    "/org/freedesktop/", "/tmp/.X11-unix/", "/tmp/.ICE-unix/", "/tmp/dbus-", "dbus-", "/run/systemd/", "/run/user/",
    "/com/ubuntu/upstart", "/var/run/dbus/", "/run/dbus/",
  ]

  static func evaluate(_ host: HostContext) -> [Finding] {
    var seen: Set<String> = []
    return host.listeners.compactMap { listener in
      guard let unix = listener.socket.unix, unix.isAbstract else { return nil }
      let name = unix.path ?? ""
      guard !wellKnownPrefixes.contains(where: { name.hasPrefix($0) }), seen.insert(name).inserted else { return nil }
      return host.finding(
        info, socket: listener.findingSocket,
        evidence: "\(listener.described): an abstract socket has no file and no mode; any process in this network namespace can connect",
        fix: "If the service has no caller check (SO_PEERCRED), move it to a filesystem socket with mode 0660.")
    }
  }
}
