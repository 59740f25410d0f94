import FleetPortsCore
import Testing
@testable import FleetPortsSSH

#if canImport(Glibc)
  import Glibc
#endif

/// Every message a host's failure row can show, word for word: what went wrong, then what to do.
@Suite struct SSHErrorTests {
  static let table: [(SSHError.Kind, code: String, message: String)] = [
    (.resolveFailed("Name or service not known"), "resolve-failed", "cannot resolve the host name (Name or service not known); check the inventory or DNS"),
    (.connectionRefused, "connection-refused", "connection refused: nothing listens on the SSH port; check the port and that sshd runs"),
    (.unreachable("No route to host"), "unreachable", "cannot connect (No route to host); check routing and firewalls"),
    (
      .timedOut(.resolve, seconds: 5), "timeout-resolve",
      "timed out in the resolve phase after 5.0s (DNS did not answer); check the resolver (/etc/resolv.conf) or put the address in the inventory"
    ),
    (
      .timedOut(.connect, seconds: 5), "timeout-connect",
      "timed out in the connect phase after 5.0s (the host or a firewall drops packets); check that the host is up and that a firewall lets the SSH port through"
    ),
    (
      .timedOut(.handshake, seconds: 10), "timeout-handshake",
      "timed out in the handshake phase after 10.0s (something accepted TCP but did not speak SSH in time); check that sshd listens on this port and is not overloaded (its MaxStartups)"
    ),
    (
      .timedOut(.authentication, seconds: 10), "timeout-authentication",
      "timed out in the authentication phase after 10.0s (the server did not answer authentication in time); check the server's load and slow login lookups (UseDNS, PAM)"
    ),
    (
      .timedOut(.command, seconds: 30), "timeout-command",
      "timed out in the command phase after 30.0s (the command did not finish); raise --timeout or check the host's load"
    ),
    (
      .hostKeyUnknown(keyType: "ssh-ed25519", fingerprint: "SHA256:abc"), "host-key-unknown",
      "host key unknown (ssh-ed25519 SHA256:abc); verify it and add it to known_hosts, or scan with --host-key-check accept-new"
    ),
    (
      .hostKeyChanged(keyType: "ssh-ed25519", fingerprint: "SHA256:abc", knownLines: [3, 9], knownHostsPath: "/u/.ssh/known_hosts"), "host-key-changed",
      "HOST KEY CHANGED: the host presented ssh-ed25519 SHA256:abc, which does not match /u/.ssh/known_hosts line 3, 9; refusing; if the change is expected, remove the old line (ssh-keygen -R)"
    ),
    (
      .hostKeyChanged(keyType: "ssh-ed25519", fingerprint: "SHA256:abc", knownLines: [], knownHostsPath: "/u/.ssh/known_hosts"), "host-key-changed",
      "HOST KEY CHANGED: the host presented ssh-ed25519 SHA256:abc, which does not match the key recorded for it earlier in this scan (/u/.ssh/known_hosts); refusing; if the change is expected, remove the old line (ssh-keygen -R)"
    ),
    (
      .hostKeyRevoked(fingerprint: "SHA256:abc", line: 4), "host-key-revoked",
      "host key SHA256:abc is marked @revoked in known_hosts line 4; refusing; get the host's new key from its owner and put it in known_hosts"
    ),
    (
      .hostCertificateUnsupported, "host-certificate-unsupported",
      "known_hosts trusts this host only through @cert-authority, and libssh2 1.10 cannot check host certificates; add the host's own key to known_hosts"
    ),
    (
      .authenticationFailed(tried: ["publickey /k/id_ed25519"], serverAccepts: ["publickey", "password"]), "auth-failed",
      "authentication failed (tried: publickey /k/id_ed25519; server accepts: publickey, password); check the user and that the key is in authorized_keys"
    ),
    (
      .rsaKeyUnsupported(path: "/k/id_rsa"), "rsa-key-unsupported",
      "/k/id_rsa is an RSA key fleetports cannot read to sign with rsa-sha2 itself, and this libssh2 (1.10) signs RSA only with ssh-rsa (SHA-1),"
        + " which OpenSSH 8.8+ refuses; give it unencrypted in OpenSSH or PEM format, load it into ssh-agent, or use an ed25519 key"
    ),
    (
      .identityUnreadable(path: "/k/id_ecdsa", reason: "bad key"), "identity-unreadable",
      "cannot use identity /k/id_ecdsa: bad key; check the file, its passphrase (--passphrase-env) and that it is an ed25519, ECDSA or RSA key"
    ),
    (
      .algorithmIncompatible("key exchange failed"), "algorithm-incompatible",
      "no algorithm in common with the server (key exchange failed); libssh2 1.10 lacks chacha20, AES-GCM, -etm MACs and rsa-sha2; let the server offer aes-ctr, hmac-sha2-256 and an ed25519 or ECDSA host key"
    ),
    (
      .channelRefused("exec: refused"), "channel-refused",
      "the server refused to run the command (exec: refused); check the user's shell and sshd's limits"
    ),
    (
      .connectionLost(.command, "reading output: EOF"), "connection-lost",
      "connection lost during command (reading output: EOF); check the network and the host's sshd log, then scan again"
    ),
    (.cancelled, "cancelled", "cancelled before this host finished; scan again to cover it"),
    (
      .ioUnavailable(call: "epoll_create1", errno: EMFILE), "io-unavailable",
      "cannot do network I/O: epoll_create1 failed: Too many open files (errno 24); too many open files: raise the limit (ulimit -n) or lower --parallel"
    ),
    (
      .ioUnavailable(call: "epoll_ctl(fd 7)", errno: ENOSPC), "io-unavailable",
      "cannot do network I/O: epoll_ctl(fd 7) failed: No space left on device (errno 28); too many watched sockets: raise fs.epoll.max_user_watches or lower --parallel"
    ),
    (
      .ioUnavailable(call: "pthread_create", errno: EAGAIN), "io-unavailable",
      "cannot do network I/O: pthread_create failed: Resource temporarily unavailable (errno 11); the system is short of memory or threads: free some and scan again"
    ),
    (
      .ioUnavailable(call: "eventfd", errno: ENOSYS), "io-unavailable",
      "cannot do network I/O: eventfd failed: Function not implemented (errno 38); a sandbox or seccomp profile forbids it: run fleetports where epoll, eventfd and threads are allowed"
    ),
    (
      .ioUnavailable(call: "epoll_wait", errno: EBADF), "io-unavailable",
      "cannot do network I/O: epoll_wait failed: Bad file descriptor (errno 9); this is a fleetports bug: please report it with this message"
    ),
    (.internalFailure("no session"), "internal", "internal error: no session; this is a fleetports bug: please report it with this message"),
  ]

  @Test(arguments: table)
  func eachKindSaysWhatWentWrongThenWhatToDo(kind: SSHError.Kind, code: String, message: String) {
    let error = SSHError(kind)
    #expect(error.code.rawValue == code)
    #expect(error.description == message)
  }

  @Test func theHostComesFirstWhenKnown() {
    #expect(SSHError(.connectionRefused, host: "db1").description == "db1: connection refused: nothing listens on the SSH port; check the port and that sshd runs")
  }

  /// libssh2's own words go with an internal error, before the fix, which stays last.
  @Test func libssh2sMessageGoesBeforeTheFixOfAnInternalError() {
    let error = SSHError(.internalFailure("channel_free failed"), libssh2Code: -7, libssh2Message: "Unable to send FIN")
    #expect(error.description == "internal error: channel_free failed [libssh2 -7: Unable to send FIN]; this is a fleetports bug: please report it with this message")
    let refused = SSHError(.channelRefused("exec"), libssh2Code: -22, libssh2Message: "Channel request denied")
    #expect(refused.description == "the server refused to run the command (exec); check the user's shell and sshd's limits")
  }
}
