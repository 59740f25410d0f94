/// What fleetports does with each ssh_config keyword of OpenSSH 9.2: honoured (read into
/// `SSHConfigResolution`), refused (a value fleetports cannot follow changes where or how ssh
/// would connect, so the host becomes a row naming file:line), or ignored (harmless for a
/// scan: forwarding, multiplexing, logging, …). A keyword in none of the lists is refused
/// too, unless `IgnoreUnknown` names it, as ssh itself refuses a file with one.
/// The README's "ssh_config options honoured" table lists the same sets.
public enum SSHConfigKeywords {
  /// Read and used.
  public static let honoured: Set<String> = [
    "host", "match", "include", "ignoreunknown", "hostname", "user", "port", "identityfile", "identitiesonly",
    "identityagent", "certificatefile", "userknownhostsfile", "globalknownhostsfile", "stricthostkeychecking",
    "hostkeyalias", "connecttimeout", "proxyjump", "proxycommand", "ciphers", "macs", "kexalgorithms", "hostkeyalgorithms",
  ]

  /// Harmless for a scan, skipped (lowercased).
  public static let ignored: Set<String> = [
    // Forwarding, multiplexing and what runs after login: the scan opens its own connection and runs its probe.
    "localforward", "remoteforward", "dynamicforward", "gatewayports", "exitonforwardfailure", "clearallforwardings",
    "permitremoteopen", "streamlocalbindmask", "streamlocalbindunlink", "forwardagent", "forwardx11", "forwardx11timeout",
    "forwardx11trusted", "xauthlocation", "controlmaster", "controlpath", "controlpersist", "remotecommand", "requesttty",
    "sessiontype", "stdinnull", "forkafterauthentication", "permitlocalcommand", "localcommand", "tunnel", "tunneldevice",
    "sendenv", "setenv", "escapechar", "enableescapecommandline", "obscurekeystroketiming", "channeltimeout",
    // Liveness and transport tuning with no effect on whether or where the host is reached.
    "serveraliveinterval", "serveralivecountmax", "tcpkeepalive", "ipqos", "rekeylimit", "compression",
    "connectionattempts",
    // Interaction and logging: fleetports never prompts.
    "batchmode", "loglevel", "logverbose", "syslogfacility", "visualhostkey", "numberofpasswordprompts",
    // Authentication methods fleetports does not use (it logs in with public keys only).
    "passwordauthentication", "kbdinteractiveauthentication", "kbdinteractivedevices", "challengeresponseauthentication",
    "gssapiauthentication", "gssapidelegatecredentials", "gssapikeyexchange", "gssapitrustdns", "gssapiclientidentity",
    "gssapiserveridentity", "gssapirenewalforcesrekey", "hostbasedauthentication", "hostbasedacceptedalgorithms",
    "hostbasedkeytypes", "enablesshkeysign", "preferredauthentications", "pubkeyauthentication", "addkeystoagent",
    "securitykeyprovider", "casignaturealgorithms", "requiredrsasize", "usekeychain",
    // Host-key bookkeeping that only changes what ssh writes or shows, or checks fleetports makes stricter.
    "checkhostip", "hashknownhosts", "updatehostkeys", "fingerprinthash", "nohostauthenticationforlocalhost",
    "verifyhostkeydns", "canonicaldomains", "canonicalizefallbacklocal", "canonicalizemaxdots",
    "canonicalizepermittedcnames", "proxyusefdpass", "tag", "protocol", "useprivilegedport",
  ]

  /// Keywords refused for some values (see `refusal`).
  static let conditionallyRefused: Set<String> = [
    "addressfamily", "bindaddress", "bindinterface", "canonicalizehostname", "pubkeyacceptedalgorithms", "pubkeyacceptedkeytypes",
    "pkcs11provider", "knownhostscommand",
    "revokedhostkeys",
  ]

  /// Every keyword fleetports knows; `IgnoreUnknown` hides only the others.
  public static let known: Set<String> = honoured.union(ignored).union(conditionallyRefused)

  /// Why a value of `keyword` cannot be followed, or nil when fleetports can (the value is
  /// the default, or the keyword is honoured or ignored).
  /// - Parameters:
  ///   - keyword: lowercased.
  ///   - arguments: as written.
  /// - Returns: the reason, one sentence, or nil.
  public static func refusal(keyword: String, arguments: [String]) -> String? {
    let value = arguments.joined(separator: " ")
    let lowered = value.lowercased()
    switch keyword {
    case "addressfamily":
      return lowered == "any" ? nil : "fleetports connects to whichever address the name resolves to first and cannot keep to one family"
    case "bindaddress", "bindinterface":
      return "fleetports cannot choose the local address or interface it connects from"
    case "canonicalizehostname":
      return lowered == "no" ? nil : "fleetports does not canonicalise host names (CanonicalDomains), so it would reach a different name than ssh"
    case "pubkeyacceptedalgorithms", "pubkeyacceptedkeytypes":
      // `+list` only adds to OpenSSH's defaults (e.g. +ssh-rsa for an old server).
      return value.hasPrefix("+") ? nil : "fleetports chooses the signature algorithms of the keys it offers itself and cannot restrict them as this value asks"
    case "pkcs11provider":
      return lowered == "none" ? nil : "fleetports cannot use keys held on a PKCS#11 token"
    case "knownhostscommand":
      return lowered == "none" ? nil : "fleetports reads host keys from known_hosts files only, not from a command"
    case "revokedhostkeys":
      return lowered == "none" ? nil : "fleetports cannot read a revoked host keys file, so a revoked key would pass"
    default:
      if honoured.contains(keyword) || ignored.contains(keyword) { return nil }
      return "fleetports does not know this option; if it does not change how ssh connects, name it in IgnoreUnknown"
    }
  }
}
