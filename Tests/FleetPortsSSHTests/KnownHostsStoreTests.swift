import FleetPortsCore
import Foundation
import Testing

@testable import FleetPortsSSH

/// accept-new's recording, without a network: what lands in the file and what is refused.
@Suite struct KnownHostsStoreTests {
  static let key1 = "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
  static let key2 = "AAAAC3NzaC1lZDI1NTE5AAAAIB1wjtu0fhPdbtY8bYQJR7Wl0UiI0tNrxz4Fo6p5YmEA"

  func scratchFile(_ text: String?) throws -> String {
    let path = NSTemporaryDirectory() + "known_hosts-\(UUID().uuidString)"
    if let text { try text.write(toFile: path, atomically: true, encoding: .utf8) }
    return path
  }

  @Test func aSecondDifferentKeyForTheSameHostInOneRunIsAChange() throws {
    let path = try scratchFile(nil)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let store = try KnownHostsStore(path: path)
    try store.record(host: "10.0.0.1", port: 22, keyType: "ssh-ed25519", keyBase64: Self.key1)
    try store.record(host: "10.0.0.1", port: 22, keyType: "ssh-ed25519", keyBase64: Self.key1)
    #expect(throws: SSHError.self) {
      try store.record(host: "10.0.0.1", port: 22, keyType: "ssh-ed25519", keyBase64: Self.key2)
    }
    let text = try String(contentsOfFile: path, encoding: .utf8)
    #expect(text == "10.0.0.1 ssh-ed25519 \(Self.key1)\n")
  }

  @Test func aFileWithoutFinalNewlineKeepsBothLinesWhole() throws {
    let path = try scratchFile("web1 ssh-ed25519 \(Self.key1)")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let store = try KnownHostsStore(path: path)
    try store.record(host: "db1", port: 2222, keyType: "ssh-ed25519", keyBase64: Self.key2)
    let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
    #expect(lines == ["web1 ssh-ed25519 \(Self.key1)", "[db1]:2222 ssh-ed25519 \(Self.key2)"])
    let reread = try KnownHostsStore(path: path)
    #expect(reread.knownHosts.unreadable.isEmpty)
    #expect(reread.knownHosts.entries.count == 2)
  }
}

/// Several known_hosts files as ssh reads them: a revoked key anywhere refuses, a trusting line
/// in any file accepts, a file with other keys for the host names itself in the verdict.
@Suite struct KnownHostsStoreFilesTests {
  static let key1 = KnownHostsStoreTests.key1
  static let key2 = KnownHostsStoreTests.key2

  func file(_ text: String) throws -> String {
    let path = NSTemporaryDirectory() + "known_hosts-\(UUID().uuidString)"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  @Test func theVerdictComesFromWhicheverFileDecides() throws {
    let user = try file("web1 ssh-ed25519 \(Self.key2)\n")
    let global = try file("# global\nweb1 ssh-ed25519 \(Self.key1)\n")
    defer { for path in [user, global] { try? FileManager.default.removeItem(atPath: path) } }
    let store = try KnownHostsStore(userFiles: [user, "/nonexistent/known_hosts2"], globalFiles: [global])
    #expect(store.path == user)
    #expect(store.verify(host: "web1", port: 22, keyType: "ssh-ed25519", keyBase64: Self.key1) == (.trusted(line: 2), global))
    let changed = store.verify(host: "web1", port: 22, keyType: "ssh-ed25519", keyBase64: "AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
    #expect(changed.path == user)
    #expect(store.verify(host: "db1", port: 22, keyType: "ssh-ed25519", keyBase64: Self.key1).verdict == .unknown)
    #expect(store.keyTypes(host: "web1", port: 22) == ["ssh-ed25519"])

    let revoking = try file("@revoked * ssh-ed25519 \(Self.key1)\n")
    defer { try? FileManager.default.removeItem(atPath: revoking) }
    let withRevoked = try KnownHostsStore(userFiles: [global], globalFiles: [revoking])
    #expect(withRevoked.verify(host: "web1", port: 22, keyType: "ssh-ed25519", keyBase64: Self.key1) == (.revoked(line: 1), revoking))
  }

  @Test func devicesAndMissingFilesReadAsEmpty() throws {
    let store = try KnownHostsStore(userFiles: ["/dev/null", "/nonexistent/known_hosts"], globalFiles: [])
    #expect(store.knownHosts.entries.isEmpty)
  }
}
