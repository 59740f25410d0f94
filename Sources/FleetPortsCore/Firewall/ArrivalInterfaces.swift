/// The interfaces a connection from outside the host may arrive on.
public enum ArrivalInterfaces {
  /// Name prefixes of container and VM bridges and their veth ends (Docker, Podman, CNI,
  /// Calico, Flannel, Cilium, kube-router, libvirt, LXC).
  public static let containerSidePrefixes = [
    "docker", "br-", "veth", "cni", "cali", "flannel", "cilium", "lxc", "kube-bridge", "podman", "virbr", "vnet",
  ]

  /// True for an interface on the container side of the host.
  public static func isContainerSide(_ name: String) -> Bool { containerSidePrefixes.contains { name.hasPrefix($0) } }

  /// The host's interface names minus loopback and the container side; all non-loopback names
  /// when that would leave none.
  public static func names(_ interfaces: [String]) -> [String] {
    let outside = interfaces.filter { $0 != "lo" && !isContainerSide($0) }
    return outside.isEmpty ? interfaces.filter { $0 != "lo" } : outside
  }
}
