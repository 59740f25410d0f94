/// `unix-socket-world-writable`: a listening Unix socket whose file any local user may
/// connect to (mode o+w), so the service must authenticate its callers itself.
enum WorldWritableUnixSocketRule {
  static let info = RuleInfo(
    id: "unix-socket-world-writable", severity: .medium, title: "World-writable Unix socket",
    triggers: "a listening Unix socket whose path has mode o+w; critical for container runtime sockets (docker, containerd, podman); "
      + "system sockets that check their callers themselves (D-Bus, journald, /dev/log, X11, …) are skipped")

  /// Sockets that are world-writable by design and authenticate peers themselves (SO_PEERCRED).
  static let byDesign: [String] = [
    "/run/dbus/system_bus_socket", "/var/run/dbus/system_bus_socket", "/dev/log", "/run/systemd/journal/",
    "/run/systemd/notify", "/run/systemd/userdb/", "/run/systemd/io.system.", "/run/systemd/resolve/", "/run/systemd/inaccessible/",
    "/tmp/.X11-unix/", "/tmp/.ICE-unix/", "/run/user/", "/run/avahi-daemon/socket", "/var/run/avahi-daemon/socket",
    "/run/snapd.socket", "/run/snapd-snap.socket", "/var/run/nscd/socket", "/run/nscd/socket", "/run/cups/cups.sock",
    "/run/uuidd/request", "/run/acpid.socket", "/var/run/acpid.socket",
  ]

  /// Sockets whose callers get root: docker, containerd, podman.
  static let rootEquivalent: [String] = ["docker.sock", "containerd.sock", "podman.sock", "crio.sock"]

  static func evaluate(_ host: HostContext) -> [Finding] {
    var seen: Set<String> = []
    return host.listeners.compactMap { listener in
      guard let unix = listener.socket.unix, !unix.isAbstract, let path = unix.path, let mode = listener.unixMode, mode.isWorldWritable,
        !byDesign.contains(where: { path == $0 || ($0.hasSuffix("/") && path.hasPrefix($0)) || ($0.hasSuffix(".") && path.hasPrefix($0)) }),
        seen.insert(path).inserted
      else { return nil }
      let critical = rootEquivalent.contains { path.hasSuffix("/" + $0) }
      return host.finding(
        info, severity: critical ? .critical : .medium, socket: listener.findingSocket,
        evidence: "\(listener.described); file mode \(mode.mode), file owner \(mode.owner): every local user can connect"
          + (critical ? "; this is a container runtime API: connecting means root" : ""),
        fix: critical
          ? "Restore mode 0660 with a dedicated group (e.g. `docker`) on the socket and find what widened it."
          : "Create the socket with mode 0660 (umask or chmod after bind) and a group for its clients, or authenticate callers with SO_PEERCRED.")
    }
  }
}
