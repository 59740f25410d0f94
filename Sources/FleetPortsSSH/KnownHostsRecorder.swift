import FleetPortsCore
import Foundation
import Synchronization

/// The known_hosts files a client checks against (ssh_config's UserKnownHostsFile list, then
/// GlobalKnownHostsFile list, all of them read once), and the one place that appends to the
/// first user file (`accept-new`), serialised so parallel sessions never interleave lines.
public final class KnownHostsStore: Sendable {
  /// Where accept-new records: the first user file.
  public let path: String
  /// The files in the order searched, each as read (a missing file is empty).
  public let files: [(path: String, knownHosts: KnownHosts)]
  /// Every file's entries together (line numbers are each file's own).
  public let knownHosts: KnownHosts
  private let appended = Mutex<[String: String]>([:])

  /// Reads `path`; a missing file is an empty known_hosts (every host unknown).
  /// - Throws: the read error of a file that exists and cannot be read.
  public convenience init(path: String) throws {
    try self.init(userFiles: [path], globalFiles: [])
  }

  /// Reads every file of `userFiles` then `globalFiles` (as ssh: missing ones are empty).
  /// - Parameters:
  ///   - userFiles: UserKnownHostsFile's files; the first is where accept-new records. Empty: nothing is recorded.
  ///   - globalFiles: GlobalKnownHostsFile's files, read only.
  /// - Throws: the read error of a file that exists and cannot be read.
  public init(userFiles: [String], globalFiles: [String]) throws {
    path = userFiles.first ?? "/dev/null"
    var files: [(path: String, knownHosts: KnownHosts)] = []
    for file in userFiles + globalFiles {
      if FileManager.default.fileExists(atPath: file) {
        // FileHandle, not Data(contentsOf:), which refuses devices such as /dev/null.
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: file))
        defer { try? handle.close() }
        let data = try handle.readToEnd() ?? Data()
        files.append((file, KnownHosts.parse(String(decoding: data, as: UTF8.self))))
      } else {
        files.append((file, KnownHosts()))
      }
    }
    self.files = files
    knownHosts = KnownHosts(entries: files.flatMap(\.knownHosts.entries), unreadable: files.flatMap(\.knownHosts.unreadable))
  }

  /// The key types known for a host across the files, for libssh2's host-key preference.
  func keyTypes(host: String, port: Int) -> [String] {
    var seen: [String] = []
    for type in files.flatMap({ $0.knownHosts.keyTypes(host: host, port: port) }) where !seen.contains(type) { seen.append(type) }
    return seen
  }

  /// The files' verdict on a presented key, and the file it comes from: a revoked key in any
  /// file first, then a trusting line in any, then a file holding other keys for the host.
  func verify(host: String, port: Int, keyType: String, keyBase64: String) -> (verdict: HostKeyVerdict, path: String) {
    let verdicts = files.map { ($0.knownHosts.verify(host: host, port: port, keyType: keyType, keyBase64: keyBase64), $0.path) }
    let order: [(HostKeyVerdict) -> Bool] = [
      { if case .revoked = $0 { true } else { false } },
      { if case .trusted = $0 { true } else { false } },
      { if case .changed = $0 { true } else { false } },
      { $0 == .certificateAuthorityUnsupported },
    ]
    for test in order {
      if let found = verdicts.first(where: { test($0.0) }) { return (found.0, found.1) }
    }
    return (.unknown, path)
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
      try Self.makeParent(of: path)
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

  /// Creates a missing parent folder 0700, as ssh creates ~/.ssh before writing known_hosts.
  static func makeParent(of path: String) throws(SSHError) {
    let parent = (path as NSString).deletingLastPathComponent
    guard !parent.isEmpty, !FileManager.default.fileExists(atPath: parent) else { return }
    guard mkdir(parent, 0o700) == 0 || errno == EEXIST else {
      throw SSHError(.internalFailure("cannot create \(parent) for known_hosts: \(String(cString: strerror(errno)))"))
    }
  }
}
