/// Every text format fleetports can parse, named as `fleetports parse --as` spells it.
public enum CaptureFormat: String, Hashable, Sendable, Codable, CaseIterable {
  /// iproute2 `ss` socket tables, any flags, with or without header, Netid or State columns.
  case ss
  /// net-tools, busybox or toybox `netstat` socket tables (`-tulpen`, `-tuanp`, `-W`, `-x`).
  case netstat
  /// `netstat -s` protocol statistics.
  case netstatStatistics = "netstat-s"
  /// `lsof -i -P -n` (and `-U`) column output.
  case lsof
  /// `lsof -F` field output, newline or NUL (`-F0`) separated.
  case lsofFields = "lsof-F"
  case procNetTCP = "proc-net-tcp"
  case procNetTCP6 = "proc-net-tcp6"
  case procNetUDP = "proc-net-udp"
  case procNetUDP6 = "proc-net-udp6"
  case procNetRaw = "proc-net-raw"
  case procNetRaw6 = "proc-net-raw6"
  case procNetUnix = "proc-net-unix"
  /// /proc/net/sctp/eps: SCTP endpoints (listening and bound sockets), Linux `sctp_eps_seq_show()`.
  case procNetSCTPEndpoints = "proc-net-sctp-eps"
  /// /proc/net/netstat or /proc/net/snmp: pairs of header and value lines.
  case procNetCounters = "proc-net-counters"
}
