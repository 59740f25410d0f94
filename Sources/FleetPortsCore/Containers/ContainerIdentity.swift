/// The container runtime that made a cgroup, as its cgroup path names it.
public enum ContainerRuntime: String, Hashable, Sendable, Codable, CaseIterable {
  /// Docker (moby): `docker-<id>.scope` (systemd driver) or `/docker/<id>` (cgroupfs driver).
  case docker
  /// containerd, usually under Kubernetes' CRI: `cri-containerd-<id>.scope`, `/containerd/<id>`.
  case containerd
  /// CRI-O: `crio-<id>.scope` (`crio-conmon-<id>.scope` is its monitor, not the container).
  case crio
  /// Podman (libpod): `libpod-<id>.scope`, `/libpod_parent/libpod-<id>`.
  case podman
  /// A Kubernetes pod whose container cgroup names no runtime (only `kubepods…pod<uid>`).
  case kubernetes
}

/// Which container a process runs in: the runtime and container id from its cgroup path, the
/// Kubernetes pod uid where the path has one, and a name where the host told it cheaply (the
/// container's `/etc/hostname`, unless that is only the id's prefix, as Docker's default is).
public struct ContainerIdentity: Hashable, Sendable, Codable {
  public var runtime: ContainerRuntime
  /// The full container id (64 lowercase hex digits for docker, containerd, CRI-O, podman);
  /// nil for a pod-level cgroup that names no container.
  public var id: String?
  /// The Kubernetes pod uid (`8c2b6f2e-…`, dashes restored from the systemd driver's `_`).
  public var podUID: String?
  /// The container's name (its hostname); nil when unknown.
  public var name: String?

  public init(runtime: ContainerRuntime, id: String?, podUID: String? = nil, name: String? = nil) {
    self.runtime = runtime
    self.id = id
    self.podUID = podUID
    self.name = name
  }

  /// The first 12 digits of the id, as `docker ps` shows it.
  public var shortID: String? { id.map { String($0.prefix(12)) } }

  /// `web`, else `docker a1cae5023dbe`, else `kubernetes pod 8c2b6f2e-…`: how reports name it.
  public var label: String {
    if let name { return name }
    if let shortID { return "\(runtime.rawValue) \(shortID)" }
    if let podUID { return "pod \(podUID)" }
    return runtime.rawValue
  }

  /// `hostname` as this container's name: kept unless empty or the id's prefix (Docker names
  /// a container's host after its short id unless `--hostname` says otherwise).
  public func named(byHostname hostname: String) -> ContainerIdentity {
    var copy = self
    let name = String(hostname.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).first ?? "")
    // A host name's characters only (RFC 1123, and `_`): whatever else a container's file says
    // is not taken as its name.
    let hostNameBytes = name.utf8.allSatisfy { byte in
      (byte >= 97 && byte <= 122) || (byte >= 65 && byte <= 90) || (byte >= 48 && byte <= 57) || byte == 45 || byte == 46 || byte == 95
    }
    guard !name.isEmpty, name.utf8.count <= 253, hostNameBytes, !(id?.hasPrefix(name) ?? false) else { return copy }
    copy.name = name
    return copy
  }
}
