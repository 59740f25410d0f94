/// ss's TCP lines standing for /proc/net/tcp and tcp6: with method ss the probe does not read
/// those two files when ss's netlink dump (`ss -tuaxnpe`, iproute2 4.x and later) could be
/// trusted (its `tcp-source` section says `ss`; see `ProbeScript.ssTrustAwk`). Both list the
/// same kernel sockets (sock_diag walks the hash tables /proc/net/tcp prints), but each read of
/// /proc/net/tcp* costs the kernel a walk of the machine-wide established hash (≈ 4.5 ms on a
/// 24 GiB machine even in an empty namespace), which netlink does not pay.
enum SSTCPTable {
  /// `records` (what `SSParser` made of the ss section) reduced to their TCP sockets, each as
  /// the merge of its /proc/net line with ss's record would be (`SnapshotAssembler` step 3):
  /// the kernel's fields (family, state, endpoints, queues, inode, uid) and ss's owners,
  /// data loss, listen backlog and IPV6_V6ONLY.
  ///
  /// What /proc/net would have shown differently is mapped to it: ss's `*` wildcard (an IPv6
  /// socket that takes IPv4 too, `v6only:0`) is `::` of family IPv6; a zone (`0.0.0.0%lo`, a
  /// socket bound to a device, or `fe80::1%eth0`) is dropped, as /proc/net prints none; a
  /// listener's Send-Q is its backlog (`listenBacklog`), its send queue 0; ss's `cgroup:` is
  /// dropped (the owners' identities name units).
  static func tcpSockets(_ records: [SocketRecord]) -> [SocketRecord] {
    records.compactMap { record in
      // ss 6.8 on kernel 6.8 and later also lists bound sockets that neither listen nor
      // connect (UNCONN); /proc/net/tcp does not.
      guard record.proto == .tcp, let local = record.local, record.state != .unconnected, record.state != .close else {
        return nil
      }
      let family: IPFamily =
        switch local.address {
        case .wildcard(nil): record.ipv6Only == false ? .ipv6 : .ipv4
        default: local.address.family ?? record.family ?? .ipv6
        }
      let listening = record.state == .listen
      var socket = SocketRecord(
        proto: .tcp, family: family, state: record.state, local: kernelEndpoint(local, family: family),
        peer: record.peer.map { kernelEndpoint($0, family: family) },
        receiveQueue: record.receiveQueue, sendQueue: listening ? 0 : record.sendQueue, inode: record.inode, uid: record.uid,
        user: record.user, processes: record.processes, dataLoss: record.dataLoss,
        listenBacklog: listening ? (record.listenBacklog ?? record.sendQueue) : nil)
      if socket.local?.address == .wildcard(.ipv6) { socket.ipv6Only = record.ipv6Only }
      return socket
    }
  }

  /// An endpoint as /proc/net prints it: no zone, a wildcard of the socket's family.
  static func kernelEndpoint(_ endpoint: Endpoint, family: IPFamily) -> Endpoint {
    let address: HostAddress
    switch endpoint.address {
    case .wildcard: address = .wildcard(family)
    case .ipv4(let v4, _): address = v4.value == 0 ? .wildcard(.ipv4) : .ipv4(v4)
    case .ipv6(let v6, _): address = .kernelIPv6(v6)
    case .ipv4Mapped, .text: address = endpoint.address
    }
    return Endpoint(address: address, port: endpoint.port)
  }
}
