import FleetPortsCore
import Testing

@Suite struct KnownHostsTests {
  func text(_ name: String) throws -> String { String(decoding: try FixtureFiles.bytes("known_hosts/\(name)"), as: UTF8.self) }

  func key(_ name: String) throws -> (type: String, base64: String) {
    let fields = try text(name).split(separator: " ")
    return (String(fields[0]), String(fields[1].prefix { $0 != "\n" }))
  }

  @Test func plainCommaListsAndPortsMatch() throws {
    let hosts = KnownHosts.parse(try text("plain.txt"))
    let k1 = try key("key1.pub")
    let k2 = try key("key2.pub")
    #expect(hosts.verify(host: "web1", port: 22, keyType: k1.type, keyBase64: k1.base64) == .trusted(line: 2))
    #expect(hosts.verify(host: "10.0.0.1", port: 22, keyType: k1.type, keyBase64: k1.base64) == .trusted(line: 2))
    #expect(hosts.verify(host: "db1.example.com", port: 2222, keyType: k2.type, keyBase64: k2.base64) == .trusted(line: 3))
    // The same name on port 22 is a different host to OpenSSH.
    #expect(hosts.verify(host: "db1.example.com", port: 22, keyType: k2.type, keyBase64: k2.base64) == .unknown)
  }

  @Test func wildcardsAndNegation() throws {
    let hosts = KnownHosts.parse(try text("plain.txt"))
    let k1 = try key("key1.pub")
    #expect(hosts.verify(host: "a.lab.example.com", port: 22, keyType: k1.type, keyBase64: k1.base64) == .trusted(line: 5))
    #expect(hosts.verify(host: "bad.lab.example.com", port: 22, keyType: k1.type, keyBase64: k1.base64) == .unknown)
  }

  @Test func aDifferentKeyForAKnownHostIsAChange() throws {
    let hosts = KnownHosts.parse(try text("plain.txt"))
    let k2 = try key("key2.pub")
    #expect(hosts.verify(host: "web1", port: 22, keyType: k2.type, keyBase64: k2.base64) == .changed(knownLines: [2], knownTypes: ["ssh-ed25519"]))
  }

  @Test func revokedAndCertificateAuthorityMarkers() throws {
    let hosts = KnownHosts.parse(try text("plain.txt"))
    let k3 = try key("key3.pub")
    #expect(hosts.verify(host: "anything", port: 22, keyType: k3.type, keyBase64: k3.base64) == .revoked(line: 6))
    let k1 = try key("key1.pub")
    #expect(hosts.verify(host: "x.corp.example.com", port: 22, keyType: k1.type, keyBase64: k1.base64) == .certificateAuthorityUnsupported)
  }

  @Test func brokenLinesAreReportedWithTheirNumber() throws {
    let hosts = KnownHosts.parse(try text("plain.txt"))
    #expect(hosts.unreadable.map(\.lineNumber) == [8])
    #expect(hosts.entries.count == 5)
  }

  @Test func hashedNamesWrittenByOpenSSHMatch() throws {
    let hosts = KnownHosts.parse(try text("hashed.txt"))
    let k1 = try key("key1.pub")
    let k2 = try key("key2.pub")
    #expect(hosts.verify(host: "web1", port: 22, keyType: k1.type, keyBase64: k1.base64) == .trusted(line: 1))
    #expect(hosts.verify(host: "10.0.0.1", port: 22, keyType: k1.type, keyBase64: k1.base64) == .trusted(line: 2))
    #expect(hosts.verify(host: "db1.example.com", port: 2222, keyType: k2.type, keyBase64: k2.base64) == .trusted(line: 3))
    #expect(hosts.verify(host: "web2", port: 22, keyType: k1.type, keyBase64: k1.base64) == .unknown)
  }

  @Test func keyTypesForPreferenceComeFromTheFile() throws {
    let hosts = KnownHosts.parse(try text("plain.txt"))
    #expect(hosts.keyTypes(host: "web1", port: 22) == ["ssh-ed25519"])
    #expect(hosts.keyTypes(host: "db1.example.com", port: 2222) == ["ecdsa-sha2-nistp256"])
  }

  /// Plain names are looked up by name and every other line is matched as before: a host's
  /// lines still come in file order whichever way each was found, a negation still excludes,
  /// and a changed list of entries is looked up anew.
  @Test func linesFoundByNameAndByPatternKeepTheFileOrder() throws {
    let k1 = try key("key1.pub")
    let k2 = try key("key2.pub")
    var hosts = KnownHosts.parse(
      """
      *.lab.example.com \(k2.type) \(k2.base64)
      web.lab.example.com,web \(k1.type) \(k1.base64)
      w?b.lab.example.com,!wob.lab.example.com \(k1.type) \(k1.base64)
      web.lab.example.com \(k2.type) \(k2.base64)
      """)
    #expect(hosts.entries(host: "WEB.lab.example.com", port: 22).map(\.lineNumber) == [1, 2, 3, 4])
    #expect(hosts.keyTypes(host: "web.lab.example.com", port: 22) == [k2.type, k1.type])
    #expect(hosts.entries(host: "wob.lab.example.com", port: 22).map(\.lineNumber) == [1])
    #expect(hosts.entries(host: "web", port: 22).map(\.lineNumber) == [2])
    #expect(hosts.verify(host: "web", port: 22, keyType: k1.type, keyBase64: k1.base64) == .trusted(line: 2))
    hosts.entries += KnownHosts.parse("# another file\n@revoked other \(k1.type) \(k1.base64)").entries
    #expect(hosts.verify(host: "web", port: 22, keyType: k1.type, keyBase64: k1.base64) == .revoked(line: 2))
    hosts.entries += KnownHosts.parse("new \(k2.type) \(k2.base64)").entries
    #expect(hosts.keyTypes(host: "new", port: 22) == [k2.type])
  }
}
