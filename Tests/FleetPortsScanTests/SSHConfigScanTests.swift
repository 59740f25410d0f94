import FleetPortsCore
import FleetPortsSSH
import Foundation
import LabSupport
import Testing

@testable import FleetPortsScan

#if canImport(Glibc)
  import Glibc
#endif

/// What a host's ssh_config lines become in the scan plan, and which command-line flags win.
@Suite struct SSHConfigPlanTests {
  static func plan(_ config: String, inventory: String, _ change: (inout ScanRequest) -> Void = { _ in }) throws -> (
    home: String, targets: [ScanTarget], refused: [HostResult]
  ) {
    let home = try LabScan.scratch()
    try config.write(toFile: home + "/config", atomically: true, encoding: .utf8)
    try inventory.write(toFile: home + "/fleet.txt", atomically: true, encoding: .utf8)
    var request = ScanRequest(inventory: home + "/fleet.txt", sshConfig: home + "/config", noAgent: true)
    change(&request)
    let plan = try ScanInputs.load(
      request, home: home, environment: ["USER": "me", "SSH_AUTH_SOCK": "/run/agent.sock", "ALT": "/run/alt.sock"])
    guard case .fleet(_, let targets, let refused) = plan.source else { throw ScanInputError("not a fleet plan") }
    return (home, targets, refused)
  }

  static let config = """
    Host web1
      HostName 10.0.0.1
      HostKeyAlias web-cluster
      ConnectTimeout 3
      StrictHostKeyChecking accept-new
      UserKnownHostsFile ~/kh/one ~/kh/two
      GlobalKnownHostsFile /dev/null
      IdentityFile ~/keys/a
      IdentityFile ~/keys/b
      IdentitiesOnly true
      IdentityAgent $ALT
      CertificateFile ~/keys/a-cert.pub
    Host web2
      IdentityAgent none
      StrictHostKeyChecking false
    Host v6
      AddressFamily inet6
    Host *
      IdentityAgent SSH_AUTH_SOCK
    """

  @Test func eachHostCarriesItsOwnSettings() throws {
    let (home, targets, refused) = try Self.plan(Self.config, inventory: "web1\nweb2\nv6\n")
    defer { try? FileManager.default.removeItem(atPath: home) }
    let web1 = try #require(targets.first { $0.name == "web1" }).connection
    #expect(web1.hostKeyAlias == "web-cluster" && web1.connectTimeout == .seconds(3) && web1.hostKeyChecking == .acceptNew)
    #expect(web1.knownHosts == KnownHostsFiles(user: [home + "/kh/one", home + "/kh/two"], global: ["/dev/null"]))
    #expect(web1.identityFiles == [home + "/keys/a", home + "/keys/b"] && web1.identitiesOnly)
    #expect(web1.agent == .socket("/run/alt.sock") && web1.certificateFiles == [home + "/keys/a-cert.pub"])
    let web2 = try #require(targets.first { $0.name == "web2" }).connection
    #expect(web2.agent == .none && web2.hostKeyChecking == .off)
    #expect(web2.knownHosts == .defaults(home: home))
    let row = try #require(refused.first)
    #expect(row.name == "v6" && row.failure?.code == .sshConfigUnsupported)
    #expect(row.failure?.message.contains("AddressFamily inet6 for 'v6' (\(home)/config:17)") == true, "\(row.failure?.message ?? "")")
  }

  @Test func commandLineFlagsOverrideSSHConfig() throws {
    let (home, targets, _) = try Self.plan(Self.config, inventory: "web1\n") {
      $0.hostKeyChecking = .strict
      $0.knownHosts = "/dev/null"
    }
    defer { try? FileManager.default.removeItem(atPath: home) }
    let web1 = try #require(targets.first).connection
    // The scanner's --known-hosts store and --host-key-check mode apply: the host sets neither.
    #expect(web1.knownHosts == nil)
    let plan = try ScanInputs.load(
      ScanRequest(
        inventory: home + "/fleet.txt", sshConfig: home + "/config", knownHosts: "/dev/null", hostKeyChecking: .strict, noAgent: true),
      home: home, environment: ["USER": "me"])
    guard case .fleet(let scanner, _, _) = plan.source else { throw ScanInputError("not a fleet plan") }
    #expect(scanner.checking == .strict && scanner.knownHosts.path == "/dev/null")
    #expect(web1.hostKeyChecking == .strict, "--host-key-check, not StrictHostKeyChecking accept-new")
  }

  @Test func eachDistinctSetOfKnownHostsFilesIsReadOncePerScan() throws {
    let home = try LabScan.scratch()
    defer { try? FileManager.default.removeItem(atPath: home) }
    try "Host a*\n  UserKnownHostsFile ~/kh/a\nHost *\n  GlobalKnownHostsFile /dev/null\n".write(
      toFile: home + "/config", atomically: true, encoding: .utf8)
    try "a1\na2\na3\nb1\nb2\n".write(toFile: home + "/fleet.txt", atomically: true, encoding: .utf8)
    let plan = try ScanInputs.load(
      ScanRequest(inventory: home + "/fleet.txt", sshConfig: home + "/config", noAgent: true), home: home, environment: ["USER": "me"])
    guard case .fleet(let scanner, let targets, _) = plan.source else { throw ScanInputError("not a fleet plan") }
    #expect(Set(targets.compactMap(\.connection.knownHosts)).count == 2)
    #expect(scanner.knownHostsByFiles.count == 2)
    let a1 = try #require(targets.first?.connection.knownHosts)
    let a3 = try #require(targets.dropFirst(2).first?.connection.knownHosts)
    #expect(scanner.knownHostsByFiles[a1] === scanner.knownHostsByFiles[a3])
  }

  @Test func algorithmListsBecomeTheSessionsOrAnUnusableOneARow() throws {
    let (home, targets, refused) = try Self.plan(
      "Host fast\n  Ciphers aes256-ctr,aes128-ctr\n  MACs -hmac-md5*\nHost modern\n  Ciphers chacha20-poly1305@openssh.com\n",
      inventory: "fast\nmodern\n")
    defer { try? FileManager.default.removeItem(atPath: home) }
    let fast = try #require(targets.first { $0.name == "fast" }).connection.algorithms
    #expect(fast[.cipher] == ["aes256-ctr", "aes128-ctr"])
    #expect(fast[.mac]?.contains { $0.hasPrefix("hmac-md5") } == false && fast[.mac]?.contains("hmac-sha2-256") == true)
    #expect(fast[.kex] == nil)
    let row = try #require(refused.first)
    #expect(row.name == "modern" && row.failure?.code == .sshConfigUnsupported)
    #expect(row.failure?.message.contains("Ciphers chacha20-poly1305@openssh.com for 'modern' (\(home)/config:5): libssh2 speaks none") == true)
  }

  /// Ansible's `-o ProxyJump=` in ansible_ssh_common_args becomes the host's route, as
  /// `ssh -J` would take it (the bastion tests follow such routes on the lab).
  @Test func anInventoryJumpHostBecomesTheHostsRoute() throws {
    let (home, targets, refused) = try Self.plan(
      "", inventory: "[db]\ndb1 ansible_host=10.0.0.5 ansible_ssh_common_args='-o ProxyJump=jump@bastion'\n")
    defer { try? FileManager.default.removeItem(atPath: home) }
    #expect(refused.isEmpty)
    let target = try #require(targets.first)
    guard case .jump(let hops) = target.route else {
      Issue.record("db1's route is \(target.route.summary), not through the bastion")
      return
    }
    #expect(hops.map(\.name) == ["bastion"] && hops.first?.user == "jump" && hops.first?.port == 22)
    #expect(target.address == "10.0.0.5")
  }

  @Test func sshConfigNoneReadsNoFileAndDefaultsReadTheUsersThenTheSystems() throws {
    let home = try LabScan.scratch()
    defer { try? FileManager.default.removeItem(atPath: home) }
    try FileManager.default.createDirectory(atPath: home + "/.ssh/conf.d", withIntermediateDirectories: true)
    try "Include conf.d/*\nHost web1\n  Port 2201\n".write(toFile: home + "/.ssh/config", atomically: true, encoding: .utf8)
    try "Host web1\n  User included\n".write(toFile: home + "/.ssh/conf.d/a", atomically: true, encoding: .utf8)
    try "Host *\n  Port 2299\n  User system\n  HostName sys.example\n".write(
      toFile: home + "/system_config", atomically: true, encoding: .utf8)
    let config = try SSHConfigFiles.load(nil, home: home, systemFile: home + "/system_config")
    let web1 = config.resolve(alias: "web1")
    #expect(web1.port == 2201 && web1.user == "included" && web1.hostName == "sys.example")
    #expect(web1.sources["user"] == SourceLine(file: home + "/.ssh/conf.d/a", line: 2))
    #expect(try SSHConfigFiles.load("none", home: home).directives.isEmpty)
  }
}

/// ssh_config's host-key settings against a real sshd on 127.0.0.1: accept-new records the
/// HostKeyAlias into the first UserKnownHostsFile (0600, its missing folder made 0700), a later
/// strict scan trusts that line, and --host-key-check strict wins over StrictHostKeyChecking.
@Suite(.loopbackSSHD, .serialized) struct SSHConfigLoopbackTests {
  @Test func acceptNewRecordsTheAliasWhereSSHConfigSaysAndStrictThenTrustsIt() async throws {
    let sshd = try LoopbackSSHD()
    defer { sshd.stop() }
    let home = try LabScan.scratch()
    defer { try? FileManager.default.removeItem(atPath: home) }
    let recorded = home + "/fresh/known_hosts"
    func config(_ checking: String, alias: String = "loopback-box") -> String {
      """
      Host box
        HostName 127.0.0.1
        Port \(sshd.port)
        User root
        IdentityFile \(sshd.clientKeyPath)
        IdentityAgent none
        HostKeyAlias \(alias)
        UserKnownHostsFile \(recorded)
        GlobalKnownHostsFile /dev/null
        StrictHostKeyChecking \(checking)
      """
    }
    func scan(_ text: String, flag: HostKeyChecking? = nil) async throws -> HostResult {
      try text.write(toFile: home + "/config", atomically: true, encoding: .utf8)
      try "box\n".write(toFile: home + "/fleet.txt", atomically: true, encoding: .utf8)
      let request = ScanRequest(
        inventory: home + "/fleet.txt", timeoutSeconds: 20, sshConfig: home + "/config", hostKeyChecking: flag, noAgent: true)
      let plan = try ScanInputs.load(request, home: home, environment: ["USER": "root"])
      guard case .fleet(let scanner, let targets, _) = plan.source else { throw ScanInputError("not a fleet plan") }
      return try #require(await scanner.scan(targets).hosts.first)
    }

    let first = try await scan(config("accept-new"))
    #expect(first.status == .ok, "\(first.failure?.message ?? "")")
    let lines = try String(contentsOfFile: recorded, encoding: .utf8).split(separator: "\n")
    #expect(lines.count == 1 && lines[0].hasPrefix("loopback-box ssh-ed25519 "), "\(lines)")
    let mode = { (path: String) in (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1 }
    #expect(mode(recorded) == 0o600)
    #expect(mode(home + "/fresh") == 0o700)

    let second = try await scan(config("yes"))
    #expect(second.status == .ok, "\(second.failure?.message ?? "")")

    // Ciphers is honoured: one the server (sshd's defaults) does not take fails the key exchange.
    let unusual = try await scan(config("yes") + "\n  Ciphers 3des-cbc")
    #expect(unusual.failure?.code == .algorithmIncompatible, "\(unusual.failure?.message ?? "scanned")")
    let chosen = try await scan(config("yes") + "\n  Ciphers aes192-ctr\n  KexAlgorithms curve25519-sha256")
    #expect(chosen.status == .ok, "\(chosen.failure?.message ?? "")")

    // A new alias is unknown: --host-key-check strict wins over StrictHostKeyChecking accept-new.
    let third = try await scan(config("accept-new", alias: "other-alias"), flag: .strict)
    #expect(third.failure?.code == .hostKeyUnknown, "\(third.failure?.message ?? "scanned")")
    #expect(try String(contentsOfFile: recorded, encoding: .utf8).split(separator: "\n").count == 1)
  }
}
