import FleetPortsCore
import Foundation
import Synchronization

/// The known_hosts a client checks against, and the one place that appends to it
/// (`accept-new`), serialised so parallel sessions never interleave lines.
public final class KnownHostsStore: Sendable {
  public let path: String
  public let knownHosts: KnownHosts
  private let appended = Mutex<[String: String]>([:])

  /// Reads `path`; a missing file is an empty known_hosts (every host unknown).
  public init(path: String) throws {
    self.path = path
    if FileManager.default.fileExists(atPath: path) {
      let data = try Data(contentsOf: URL(fileURLWithPath: path))
      knownHosts = KnownHosts.parse(String(decoding: data, as: UTF8.self))
    } else {
      knownHosts = KnownHosts()
    }
  }

  /// Records a first-seen key; a second session to the same host in this run sees it too.
  func record(host: String, port: Int, keyType: String, keyBase64: String) throws(SSHError) {
    let name = KnownHosts.lookupName(host: host, port: port)
    let line = KnownHosts.line(host: host, port: port, keyType: keyType, keyBase64: keyBase64) + "\n"
    try appended.withLock { recorded throws(SSHError) in
      if let earlier = recorded[name] {
        // Another session of this run already met this host with a key: a different one now
        // is a changed key, whatever the file said before.
        guard earlier == keyBase64 else {
          throw SSHError(.hostKeyChanged(keyType: keyType, fingerprint: "(differs from the key recorded earlier in this scan)", knownLines: [], knownHostsPath: path))
        }
        return
      }
      let fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
      guard fd >= 0 else { throw SSHError(.internalFailure("cannot append to \(path): \(String(cString: strerror(errno)))")) }
      defer { close(fd) }
      // A file whose last line has no newline would swallow ours into its key.
      var last: UInt8 = 10
      let size = lseek(fd, 0, SEEK_END)
      if size > 0 { _ = pread(fd, &last, 1, size - 1) }
      let bytes = Array(((last == 10 ? "" : "\n") + line).utf8)
      guard write(fd, bytes, bytes.count) == bytes.count else {
        throw SSHError(.internalFailure("cannot append to \(path): \(String(cString: strerror(errno)))"))
      }
      recorded[name] = keyBase64
    }
  }

  /// A key recorded earlier in this run, when the file on disk did not have the host.
  func recordedKey(host: String, port: Int) -> String? {
    appended.withLock { $0[KnownHosts.lookupName(host: host, port: port)] }
  }
}
