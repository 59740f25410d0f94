// GENERATED from /etc/services of Debian 12 (netbase 6.4): the whole file, not a subset
// (277 TCP and 121 UDP names, aliases included; its one sctp line is left out). Generator,
// run with python3 on this machine, then its two tables pasted below sorted by port:
//   tcp, udp = {}, {}
//   for line in open("/etc/services"):
//       f = line.split("#", 1)[0].split()
//       if len(f) < 2: continue
//       port, proto = f[1].split("/")
//       for name in [f[0]] + f[2:]:
//           {"tcp": tcp, "udp": udp}.get(proto, {}).setdefault(name, int(port))
// Regenerate when netbase changes; do not edit by hand.

/// Well-known IANA service names → port numbers, as Debian 12's /etc/services (netbase 6.4)
/// carries them: what ss, netstat and lsof print in place of a port when run without
/// `-n`/`-P` (`0.0.0.0:ssh`, `*:http-alt`). Names a host added to its own /etc/services are
/// not here: those sockets keep `Endpoint.serviceName` and `DataLoss.portIsAName`.
public enum ServiceNames {
  /// The TCP port of `name` (SCTP, MPTCP and DCCP use the TCP names), else its UDP port.
  /// nil when the name is not in the table. Case-sensitive, as getservbyname(3) is.
  public static func port(_ name: String, proto: SocketProtocol) -> UInt16? {
    if proto == .udp { return udp[name] ?? tcp[name] }
    return tcp[name] ?? udp[name]
  }

  /// Every port the table names (TCP or UDP): the ports a service is known to use.
  public static let knownPorts: Set<UInt16> = Set(tcp.values).union(udp.values)

  static let tcp: [String: UInt16] = [
    "tcpmux": 1, "echo": 7, "discard": 9, "null": 9, "sink": 9, "systat": 11, "users": 11, "daytime": 13,
    "netstat": 15, "qotd": 17, "quote": 17, "chargen": 19, "source": 19, "ttytst": 19, "ftp-data": 20, "ftp": 21,
    "ssh": 22, "telnet": 23, "mail": 25, "smtp": 25, "time": 37, "timserver": 37, "nicname": 43, "whois": 43,
    "tacacs": 49, "domain": 53, "gopher": 70, "finger": 79, "http": 80, "www": 80, "kerberos": 88,
    "kerberos-sec": 88, "kerberos5": 88, "krb5": 88, "iso-tsap": 102, "tsap": 102, "acr-nema": 104, "dicom": 104,
    "poppassd": 106, "pop-3": 110, "pop3": 110, "portmapper": 111, "sunrpc": 111, "auth": 113, "authentication": 113,
    "ident": 113, "tap": 113, "nntp": 119, "readnews": 119, "untp": 119, "epmap": 135, "loc-srv": 135,
    "netbios-ssn": 139, "imap": 143, "imap2": 143, "snmp": 161, "snmp-trap": 162, "snmptrap": 162, "cmip-man": 163,
    "cmip-agent": 164, "mailq": 174, "bgp": 179, "smux": 199, "qmtp": 209, "wais": 210, "z3950": 210, "pawserv": 345,
    "zserv": 346, "rpc2portmap": 369, "codaauth2": 370, "ldap": 389, "svrloc": 427, "https": 443, "snpp": 444,
    "microsoft-ds": 445, "kpasswd": 464, "smtps": 465, "ssmtp": 465, "submissions": 465, "urd": 465, "saft": 487,
    "exec": 512, "login": 513, "cmd": 514, "shell": 514, "syslog": 514, "printer": 515, "spooler": 515,
    "gdomap": 538, "uucp": 540, "uucpd": 540, "klogin": 543, "krcmd": 544, "kshell": 544, "afpovertcp": 548,
    "rtsp": 554, "nntps": 563, "snntp": 563, "submission": 587, "nqs": 607, "qmqp": 628, "ipp": 631, "ldaps": 636,
    "ldp": 646, "tinc": 655, "silc": 706, "kerberos-adm": 749, "kdc": 750, "kerberos-iv": 750, "kerberos4": 750,
    "kerberos-master": 751, "hprop": 754, "krb-prop": 754, "krb5_prop": 754, "krb_prop": 754, "moira-db": 775,
    "moira_db": 775, "moira-update": 777, "moira_update": 777, "spamd": 783, "domain-s": 853, "supfilesrv": 871,
    "rsync": 873, "ftps-data": 989, "ftps": 990, "telnets": 992, "imaps": 993, "pop3s": 995, "socks": 1080,
    "proofd": 1093, "rootd": 1094, "rmiregistry": 1099, "supfiledbg": 1127, "skkserv": 1178, "openvpn": 1194,
    "rmtcfg": 1236, "xtel": 1313, "xtelw": 1314, "lotusnote": 1352, "lotusnotes": 1352, "ms-sql-s": 1433,
    "ingreslock": 1524, "datametrics": 1645, "old-radius": 1645, "old-radacct": 1646, "sa-msg-port": 1646,
    "kermit": 1649, "groupwise": 1677, "radius": 1812, "radacct": 1813, "radius-acct": 1813, "cisco-sccp": 2000,
    "nfs": 2049, "gnunet": 2086, "rtcm-sc104": 2101, "gsigatekeeper": 2119, "iprop": 2121, "gris": 2135,
    "cvspserver": 2401, "venus": 2430, "venus-se": 2431, "codasrv": 2432, "codasrv-se": 2433, "mon": 2583,
    "zebrasrv": 2600, "zebra": 2601, "ripd": 2602, "ripngd": 2603, "ospfd": 2604, "bgpd": 2605, "ospf6d": 2606,
    "ospfapi": 2607, "isisd": 2608, "dict": 2628, "f5-globalsite": 2792, "gsiftp": 2811, "gpsd": 2947,
    "gds-db": 3050, "gds_db": 3050, "isns": 3205, "iscsi-target": 3260, "mysql": 3306, "ms-wbt-server": 3389,
    "nut": 3493, "distcc": 3632, "daap": 3689, "subversion": 3690, "svn": 3690, "suucp": 4031, "sysrqd": 4094,
    "sieve": 4190, "f5-iquery": 4353, "epmd": 4369, "remctl": 4373, "ntske": 4460, "fax": 4557, "hylafax": 4559,
    "mtn": 4691, "radmin-port": 4899, "lrrd": 4949, "munin": 4949, "sip": 5060, "sip-tls": 5061,
    "jabber-client": 5222, "xmpp-client": 5222, "jabber-server": 5269, "xmpp-server": 5269, "cfengine": 5308,
    "postgres": 5432, "postgresql": 5432, "freeciv": 5556, "rptp": 5556, "nrpe": 5666, "nsca": 5667, "amqps": 5671,
    "amqp": 5672, "canna": 5680, "x11": 6000, "x11-0": 6000, "x11-1": 6001, "x11-2": 6002, "x11-3": 6003,
    "x11-4": 6004, "x11-5": 6005, "x11-6": 6006, "x11-7": 6007, "gnutella-svc": 6346, "gnutella-rtr": 6347,
    "redis": 6379, "sge-qmaster": 6444, "sge_qmaster": 6444, "sge-execd": 6445, "sge_execd": 6445,
    "mysql-proxy": 6446, "syslog-tls": 6514, "sane": 6566, "sane-port": 6566, "saned": 6566, "ircd": 6667,
    "ircs-u": 6697, "bbs": 7000, "font-service": 7100, "xfs": 7100, "zope-ftp": 8021, "http-alt": 8080,
    "webcache": 8080, "tproxy": 8081, "omniorb": 8088, "puppet": 8140, "clc-build-daemon": 8990, "xinetd": 9098,
    "bacula-dir": 9101, "bacula-fd": 9102, "bacula-sd": 9103, "git": 9418, "xmms2": 9667, "zope": 9673,
    "webmin": 10000, "zabbix-agent": 10050, "zabbix-trapper": 10051, "amanda": 10080, "kamanda": 10081,
    "amandaidx": 10082, "amidxtape": 10083, "nbd": 10809, "hkp": 11371, "sgi-cad": 17004, "db-lsp": 17500,
    "dcap": 22125, "gsidcap": 22128, "wnn6": 22273, "binkp": 24554, "asp": 27374, "csync2": 30865,
    "dircproxy": 57000, "tfido": 60177, "fido": 60179,
  ]

  static let udp: [String: UInt16] = [
    "echo": 7, "discard": 9, "null": 9, "sink": 9, "daytime": 13, "chargen": 19, "source": 19, "ttytst": 19,
    "fsp": 21, "fspd": 21, "time": 37, "timserver": 37, "tacacs": 49, "domain": 53, "bootps": 67, "bootpc": 68,
    "tftp": 69, "kerberos": 88, "kerberos-sec": 88, "kerberos5": 88, "krb5": 88, "portmapper": 111, "sunrpc": 111,
    "ntp": 123, "netbios-ns": 137, "netbios-dgm": 138, "snmp": 161, "snmp-trap": 162, "snmptrap": 162,
    "cmip-man": 163, "cmip-agent": 164, "xdmcp": 177, "ipx": 213, "ptp-event": 319, "ptp-general": 320,
    "rpc2portmap": 369, "codaauth2": 370, "Clearcase": 371, "clearcase": 371, "ldap": 389, "svrloc": 427,
    "https": 443, "kpasswd": 464, "isakmp": 500, "biff": 512, "comsat": 512, "who": 513, "whod": 513, "syslog": 514,
    "talk": 517, "ntalk": 518, "route": 520, "routed": 520, "router": 520, "gdomap": 538, "dhcpv6-client": 546,
    "dhcpv6-server": 547, "rtsp": 554, "asf-rmcp": 623, "ldaps": 636, "ldp": 646, "tinc": 655, "kdc": 750,
    "kerberos-iv": 750, "kerberos4": 750, "kerberos-master": 751, "kerberos_master": 751, "passwd-server": 752,
    "passwd_server": 752, "moira-ureg": 779, "moira_ureg": 779, "domain-s": 853, "openvpn": 1194, "predict": 1210,
    "ms-sql-m": 1434, "datametrics": 1645, "old-radius": 1645, "old-radacct": 1646, "sa-msg-port": 1646, "l2f": 1701,
    "l2tp": 1701, "radius": 1812, "radacct": 1813, "radius-acct": 1813, "nfs": 2049, "gnunet": 2086,
    "rtcm-sc104": 2101, "zephyr-srv": 2102, "zephyr-clt": 2103, "zephyr-hm": 2104, "venus": 2430, "venus-se": 2431,
    "codasrv": 2432, "codasrv-se": 2433, "mon": 2583, "icp": 3130, "icpv2": 3130, "isns": 3205, "nut": 3493,
    "ipsec-nat-t": 4500, "iax": 4569, "sip": 5060, "sip-tls": 5061, "mdns": 5353, "rplay": 5555,
    "gnutella-svc": 6346, "gnutella-rtr": 6347, "babel": 6696, "afs3-fileserver": 7000, "afs3-callback": 7001,
    "afs3-prserver": 7002, "afs3-vlserver": 7003, "afs3-kaserver": 7004, "afs3-volser": 7005, "afs3-bos": 7007,
    "afs3-update": 7008, "afs3-rmtsys": 7009, "sgi-cmsd": 17001, "sgi-crsd": 17002, "sgi-gcd": 17003, "asp": 27374,
  ]

  /// IP protocol names → numbers, as Debian 12's /etc/protocols (netbase 6.4) carries them
  /// (the whole file but mptcp 262, which is not an 8-bit IP protocol number; aliases included;
  /// same generator as above over /etc/protocols, fields
  /// "name number [aliases…]"): what ss and netstat print for a raw socket's protocol without
  /// `-n` (`0.0.0.0:icmp`, `*:ipv6-icmp`). iproute2 prints `ipproto-N` for numbers without a name.
  public static func ipProtocol(_ name: String) -> UInt8? {
    if let known = ipProtocols[name] { return known }
    if name.hasPrefix("ipproto-"), let number = UInt8(name.dropFirst(8)) { return number }
    return nil
  }

  static let ipProtocols: [String: UInt8] = [
    "HOPOPT": 0, "IP": 0, "hopopt": 0, "ip": 0, "ICMP": 1, "icmp": 1, "IGMP": 2, "igmp": 2, "GGP": 3, "ggp": 3,
    "IP-ENCAP": 4, "ipencap": 4, "ST": 5, "st": 5, "TCP": 6, "tcp": 6, "EGP": 8, "egp": 8, "IGP": 9, "igp": 9,
    "PUP": 12, "pup": 12, "UDP": 17, "udp": 17, "HMP": 20, "hmp": 20, "XNS-IDP": 22, "xns-idp": 22, "RDP": 27,
    "rdp": 27, "ISO-TP4": 29, "iso-tp4": 29, "DCCP": 33, "dccp": 33, "XTP": 36, "xtp": 36, "DDP": 37, "ddp": 37,
    "IDPR-CMTP": 38, "idpr-cmtp": 38, "IPv6": 41, "ipv6": 41, "IPv6-Route": 43, "ipv6-route": 43, "IPv6-Frag": 44,
    "ipv6-frag": 44, "IDRP": 45, "idrp": 45, "RSVP": 46, "rsvp": 46, "GRE": 47, "gre": 47, "IPSEC-ESP": 50,
    "esp": 50, "IPSEC-AH": 51, "ah": 51, "SKIP": 57, "skip": 57, "IPv6-ICMP": 58, "ipv6-icmp": 58, "IPv6-NoNxt": 59,
    "ipv6-nonxt": 59, "IPv6-Opts": 60, "ipv6-opts": 60, "CPHB": 73, "RSPF": 73, "rspf": 73, "VMTP": 81, "vmtp": 81,
    "EIGRP": 88, "eigrp": 88, "OSPFIGP": 89, "ospf": 89, "AX.25": 93, "ax.25": 93, "IPIP": 94, "ipip": 94,
    "ETHERIP": 97, "etherip": 97, "ENCAP": 98, "encap": 98, "PIM": 103, "pim": 103, "IPCOMP": 108, "ipcomp": 108,
    "VRRP": 112, "vrrp": 112, "L2TP": 115, "l2tp": 115, "ISIS": 124, "isis": 124, "SCTP": 132, "sctp": 132,
    "FC": 133, "fc": 133, "Mobility-Header": 135, "mobility-header": 135, "UDPLite": 136, "udplite": 136,
    "MPLS-in-IP": 137, "mpls-in-ip": 137, "manet": 138, "HIP": 139, "hip": 139, "Shim6": 140, "shim6": 140,
    "WESP": 141, "wesp": 141, "ROHC": 142, "rohc": 142, "Ethernet": 143, "ethernet": 143,
  ]
}
