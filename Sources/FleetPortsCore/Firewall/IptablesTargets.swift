/// What iptables targets do to a chain walk.
enum IptablesTargets {
  /// Targets that change no verdict: the packet goes on to the next rule (logging, marking,
  /// conntrack tweaks, source NAT, which happens after the routing decision).
  static let nonTerminal: Set<String> = [
    "LOG", "NFLOG", "ULOG", "MARK", "CONNMARK", "CT", "NOTRACK", "TRACE", "TCPMSS", "CLASSIFY", "DSCP", "TOS", "TTL", "HL",
    "AUDIT", "SET", "CHECKSUM", "SECMARK", "CONNSECMARK", "IDLETIMER", "LED", "RATEEST", "TEE", "MASQUERADE", "SNAT",
    "NETMAP", "ECN", "HMARK", "SYNPROXY_NOP",
  ]
}
