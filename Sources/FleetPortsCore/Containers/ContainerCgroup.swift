/// Reads the container a process runs in from its cgroup, as `/proc/<pid>/cgroup` prints it
/// (Linux 2.6.24+): lines `hierarchy-id:controllers:path`, one per v1 hierarchy plus
/// `0::path` for the v2 (unified) one; a cgroup v2-only host has the `0::` line alone. Also
/// takes a bare path (`/system.slice/docker-<id>.scope`, what `ss -e` prints as `cgroup:`).
///
/// Path shapes recognised (from docker 20-27, containerd 1.6-2.0, CRI-O 1.2x, podman 4-5, and
/// the kubelet's systemd and cgroupfs drivers):
///
///     /system.slice/docker-<64 hex>.scope                       docker, systemd driver
///     /docker/<64 hex>                                          docker, cgroupfs driver (also nested: /docker/<id>/…)
///     /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid_with_underscores>.slice/cri-containerd-<id>.scope
///     /kubepods/burstable/pod<uid>/<64 hex>                     kubelet cgroupfs driver, runtime unnamed
///     /kubepods.slice/…/crio-<id>.scope                          CRI-O
///     /machine.slice/libpod-<id>.scope, /user.slice/…/libpod-<id>.scope   podman (root, rootless)
///     /system.slice/containerd.service/…/<id>, /containerd/<id>  containerd without Kubernetes
///     /system.slice/containerd.service/kubepods-besteffort-pod<uid>.slice:cri-containerd:<id>   containerd, v1 systemd driver
///
/// Pure: never fails; a path that names no container gives nil. `crio-conmon-` and
/// `libpod-conmon-` scopes (the runtimes' monitors) are not containers.
public enum ContainerCgroup {
  /// The container of the process whose cgroup file (or single path) is `text`; the first
  /// line that names one wins (v1 hierarchies and v2 agree on a container host).
  public static func container(_ text: String) -> ContainerIdentity? {
    var pod: ContainerIdentity?
    for line in text.split(whereSeparator: { $0 == "\n" }) {
      let path = cgroupPath(line)
      if let found = container(path: path) {
        if found.id != nil { return found }
        if pod == nil { pod = found }
      }
    }
    return pod
  }

  /// The path of one cgroup line: after the second `:`, or the whole text when it starts with `/`.
  static func cgroupPath(_ line: Substring) -> Substring {
    if line.first == "/" { return line }
    guard let first = line.firstIndex(of: ":") else { return line }
    let rest = line[line.index(after: first)...]
    guard let second = rest.firstIndex(of: ":") else { return rest }
    return rest[rest.index(after: second)...]
  }

  /// The container one path names, or nil.
  static func container(path: Substring) -> ContainerIdentity? {
    // containerd's systemd driver on cgroup v1 writes `…/<pod slice>:cri-containerd:<id>`:
    // its `:`-separated parts count as components too.
    let components = path.split(separator: "/").flatMap { $0.split(separator: ":") }
    var podUID: String?
    var found: ContainerIdentity?
    for (index, component) in components.enumerated() {
      if let uid = Self.podUID(component) { podUID = uid }
      if let scoped = scope(component) {
        found = scoped
      } else if isID(component), index > 0 {
        // cgroupfs drivers: the id is a component of its own, under the runtime's folder.
        switch components[index - 1] {
        case "docker": found = ContainerIdentity(runtime: .docker, id: String(component))
        case "libpod_parent": found = ContainerIdentity(runtime: .podman, id: String(component))
        case "containerd", "cri-containerd": found = ContainerIdentity(runtime: .containerd, id: String(component))
        case "crio": found = ContainerIdentity(runtime: .crio, id: String(component))
        default:
          if podUID != nil || components[..<index].contains(where: { $0.hasPrefix("containerd") }) {
            found = ContainerIdentity(runtime: podUID != nil ? .kubernetes : .containerd, id: String(component))
          }
        }
      }
    }
    if var found {
      found.podUID = podUID
      return found
    }
    return podUID.map { ContainerIdentity(runtime: .kubernetes, id: nil, podUID: $0) }
  }

  /// `docker-<id>.scope`, `cri-containerd-<id>.scope`, `crio-<id>.scope`, `libpod-<id>.scope`
  /// (or without `.scope`, as podman's cgroupfs driver names `libpod-<id>`).
  static func scope(_ component: Substring) -> ContainerIdentity? {
    let name = component.hasSuffix(".scope") ? component.dropLast(6) : component
    let prefixes: [(String, ContainerRuntime)] = [
      ("docker-", .docker), ("cri-containerd-", .containerd), ("crio-", .crio), ("libpod-", .podman),
    ]
    for (prefix, runtime) in prefixes where name.hasPrefix(prefix) {
      let id = name.dropFirst(prefix.count)
      guard isID(id) else { return nil }
      return ContainerIdentity(runtime: runtime, id: String(id))
    }
    return nil
  }

  /// `pod<uid>` (cgroupfs) or `kubepods-<qos>-pod<uid_with_underscores>.slice` (systemd).
  static func podUID(_ component: Substring) -> String? {
    var text = component.hasSuffix(".slice") ? component.dropLast(6) : component
    if text.hasPrefix("kubepods") || text.hasPrefix("kubelet-kubepods") {
      // the last `-pod`: `kubepods-besteffort-pod<uid>`
      guard let dash = text.indices.last(where: { text[$0...].hasPrefix("-pod") }) else { return nil }
      text = text[text.index(dash, offsetBy: 4)...]
    } else if text.hasPrefix("pod") {
      text = text.dropFirst(3)
    } else {
      return nil
    }
    let uid = String(text.map { $0 == "_" ? "-" : $0 }).lowercased()
    let hexDigits = uid.filter { $0 != "-" }
    guard hexDigits.count == 32, uid.count == 36, hexDigits.allSatisfy(\.isHexDigit) else { return nil }
    return uid
  }

  /// 64 lowercase hex digits: the id every runtime here gives a container.
  static func isID(_ text: Substring) -> Bool {
    text.utf8.count == 64 && text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
  }
}
