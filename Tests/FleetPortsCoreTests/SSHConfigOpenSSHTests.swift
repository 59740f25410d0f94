import FleetPortsCore
import Foundation
import LabSupport
import Testing

/// ssh_config resolution compared with OpenSSH's own: `ssh -G -F FILE ALIAS` prints the
/// configuration ssh would use (OpenSSH 9.2p1 on Debian 12). Without ssh the comparison is
/// skipped, unless FLEETPORTS_REQUIRE_TOOLS=1 makes that a failure.
@Suite struct SSHConfigOpenSSHTests {
  static let ssh = "/usr/bin/ssh"

  /// Configurations touching Include with a glob, Match (host after HostName, originalhost,
  /// user, localuser, negation, final), first-value-wins, tokens and the known_hosts keywords.
  static let config = """
    Include CONFD/*.conf
    Host alpha
      HostName %h.example.net
      Port 2201
    Match host *.example.net !originalhost beta
      User matched
      UserKnownHostsFile ~/kh/%h-%p-%r %d/second %%literal
      ConnectTimeout 1m5s
    Host beta
      HostName 10.1.2.3
      HostKeyAlias beta-key
      StrictHostKeyChecking accept-new
      GlobalKnownHostsFile /etc/ssh/global_a ~/global_b
    Match user matched
      IdentitiesOnly yes
    Match localuser LOCALUSER originalhost gamma
      User viaLocaluser
      StrictHostKeyChecking no
    Match final originalhost delta
      User finalUser
    Host zeta
      HostName Zeta.Example
    Match final originalhost zeta
      Port 2000
    Host zeta.example
      User viaHostNameInFinalPass
    Host *
      User fallback
      Port 2299
      StrictHostKeyChecking yes
      ConnectTimeout 7
    """

  static let included = "Host gamma\n  HostName gamma.internal\n  IdentitiesOnly no\n"

  @Test(arguments: ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"])
  func resolutionEqualsSSHG(alias: String) throws {
    guard FileManager.default.isExecutableFile(atPath: Self.ssh) else {
      #expect(ProcessInfo.processInfo.environment["FLEETPORTS_REQUIRE_TOOLS"] != "1", "ssh is missing")
      return
    }
    let folder = NSTemporaryDirectory() + "fp-sshg-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder + "/conf.d", withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let user = String(cString: getpwuid(getuid()).pointee.pw_name)
    let home = String(cString: getpwuid(getuid()).pointee.pw_dir)
    let text = Self.config.replacingOccurrences(of: "CONFD", with: folder + "/conf.d").replacingOccurrences(of: "LOCALUSER", with: user)
    try text.write(toFile: folder + "/config", atomically: true, encoding: .utf8)
    try Self.included.write(toFile: folder + "/conf.d/10-gamma.conf", atomically: true, encoding: .utf8)

    let run = try ChildProcess.run([Self.ssh, "-G", "-F", folder + "/config", alias], environment: ["HOME": home, "USER": user])
    #expect(run.status == 0, "\(run.stderrText)")
    var theirs: [String: String] = [:]
    for line in run.stdoutText.split(separator: "\n") {
      let parts = line.split(separator: " ", maxSplits: 1)
      if parts.count == 2 { theirs[String(parts[0])] = String(parts[1]) }
    }

    let config = try SSHConfig.parse(text, file: "config") { pattern in
      [SSHConfig.IncludedFile(file: "10-gamma.conf", text: pattern.hasSuffix("*.conf") ? Self.included : "")]
    }
    let ours = config.resolve(alias: alias, local: SSHLocalContext(user: user, home: home, uid: Int(getuid()), hostName: "vm"))
    #expect(ours.connectName == theirs["hostname"], "hostname")
    #expect((ours.user ?? user) == theirs["user"], "user")
    #expect(String(ours.port ?? 22) == theirs["port"], "port")
    #expect((ours.identitiesOnly ?? false ? "yes" : "no") == theirs["identitiesonly"], "identitiesonly")
    #expect((ours.strictHostKeyChecking.map { $0 == "yes" ? "true" : $0 == "no" ? "false" : $0 } ?? "ask") == theirs["stricthostkeychecking"], "stricthostkeychecking")
    #expect(ours.hostKeyAlias == theirs["hostkeyalias"], "hostkeyalias")
    #expect((ours.connectTimeoutSeconds.map(String.init) ?? "none") == theirs["connecttimeout"], "connecttimeout")
    let defaultsUser = ["~/.ssh/known_hosts", "~/.ssh/known_hosts2"].map { home + $0.dropFirst() }
    #expect((ours.userKnownHostsFiles.isEmpty ? defaultsUser : ours.userKnownHostsFiles).joined(separator: " ") == theirs["userknownhostsfile"], "userknownhostsfile")
    let defaultsGlobal = ["/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2"]
    // ssh -G prints GlobalKnownHostsFile before its `~` is expanded (ssh expands it when reading the file).
    let theirGlobal = theirs["globalknownhostsfile"]?.replacingOccurrences(of: " ~/", with: " \(home)/")
    #expect((ours.globalKnownHostsFiles.isEmpty ? defaultsGlobal : ours.globalKnownHostsFiles).joined(separator: " ") == theirGlobal, "globalknownhostsfile")
    #expect(ours.unsupported.isEmpty)
  }

  @Test func unsupportedSettingsNameTheirLineAndOnlyTheFirstValueCounts() throws {
    let config = try SSHConfig.parse(
      "Host v6only\n  AddressFamily inet6\nHost *\n  AddressFamily any\n  ServerAliveInterval 30\n  FrobnicateHosts yes\nHost ignored\n  IgnoreUnknown Frob*\n",
      file: "config")
    let v6 = config.resolve(alias: "v6only")
    #expect(v6.unsupported.map(\.description) == ["AddressFamily inet6 (config:2)"])
    let unknown = try SSHConfig.parse("Host *\n  FrobnicateHosts yes\n", file: "config").resolve(alias: "x")
    #expect(unknown.unsupported.map(\.description) == ["FrobnicateHosts yes (config:2)"])
    #expect(v6.unsupportedOptionMessage?.hasPrefix("ssh_config sets AddressFamily inet6 for 'v6only' (config:2): fleetports connects") == true)
    // IgnoreUnknown hides unknown keywords only, wherever it is written (fleetports reads it for the whole file).
    #expect(config.resolve(alias: "other").unsupported.map(\.setting) == [])
  }

  @Test func matchCriteriaOpenSSHWouldRefuseAreErrors() {
    for (text, message) in [
      ("Match nosuch x\n", "config:1: Match: unknown criterion 'nosuch'"),
      ("Match host\n", "config:1: Match: 'host' needs an argument"),
      ("Match all host x\n", "config:1: Match: 'all' cannot be combined"),
    ] {
      do {
        _ = try SSHConfig.parse(text, file: "config")
        Issue.record("\(text) parsed")
      } catch {
        #expect(error.description.hasPrefix(message), "\(error.description)")
      }
    }
  }

  @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: ssh), "no /usr/bin/ssh to compare with"))
  func everyPathTokenAndVariableExpandsAsSSHGShows() throws {
    // `ssh -G` prints UserKnownHostsFile expanded; IdentityFile and the others take the same set.
    let folder = NSTemporaryDirectory() + "fp-sshk-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let text = """
      Host t1
        HostName 10.9.8.7
        User bob
        Port 2022
        HostKeyAlias kalias
        UserKnownHostsFile /kh/%%-%C-%d-%h-%i-%k-%L-%l-%n-%p-%r-%u ${FP_TOKEN_TEST}/x ~/y
      """
    try text.write(toFile: folder + "/config", atomically: true, encoding: .utf8)
    let user = String(cString: getpwuid(getuid()).pointee.pw_name)
    let home = String(cString: getpwuid(getuid()).pointee.pw_dir)
    let run = try ChildProcess.run(
      [Self.ssh, "-G", "-F", folder + "/config", "t1"], environment: ["HOME": home, "USER": user, "FP_TOKEN_TEST": "/from/env"])
    let line = run.stdoutText.split(separator: "\n").first { $0.hasPrefix("userknownhostsfile ") }
    var name = [CChar](repeating: 0, count: 256)
    gethostname(&name, 255)
    let local = SSHLocalContext(
      user: user, home: home, uid: Int(getuid()), hostName: String(cString: name), environment: ["FP_TOKEN_TEST": "/from/env"])
    let ours = try SSHConfig.parse(text, file: "config").resolve(alias: "t1", local: local)
    #expect(line.map(String.init) == "userknownhostsfile " + ours.userKnownHostsFiles.joined(separator: " "))
  }

  @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: ssh), "no /usr/bin/ssh to compare with"))
  func connectionHashIsOpenSSHs() throws {
    // `ssh -G` prints UserKnownHostsFile with %C expanded: SHA-1 of %l%h%p%r.
    let folder = NSTemporaryDirectory() + "fp-sshc-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let text = "Host h1\n  HostName 10.0.0.9\n  User u1\n  Port 2022\n  UserKnownHostsFile /kh/%C\n"
    try text.write(toFile: folder + "/config", atomically: true, encoding: .utf8)
    let run = try ChildProcess.run([Self.ssh, "-G", "-F", folder + "/config", "h1"])
    let line = run.stdoutText.split(separator: "\n").first { $0.hasPrefix("userknownhostsfile ") }
    var name = [CChar](repeating: 0, count: 256)
    gethostname(&name, 255)
    let local = String(cString: name)
    let ours = try SSHConfig.parse(text, file: "config").resolve(alias: "h1", local: SSHLocalContext(user: "x", home: "/h", hostName: local))
    #expect(line.map(String.init) == "userknownhostsfile " + (ours.userKnownHostsFiles.first ?? ""))
  }
}

@Suite struct InventoryFormatDetectionTests {
  @Test func extensionThenContentPickTheFormat() {
    #expect(InventoryFormat.detect("{\"_meta\": {}}", file: "dynamic.out") == .ansibleJSON)
    #expect(InventoryFormat.detect("all:\n  hosts:\n", file: "hosts") == .ansibleYAML)
    #expect(InventoryFormat.detect("# fleet\n---\nall:\n", file: "hosts") == .ansibleYAML)
    #expect(InventoryFormat.detect("web1\n", file: "hosts.yaml") == .ansibleYAML)
    #expect(InventoryFormat.detect("[web]\nweb1 ansible_host=10.0.0.1\n", file: "hosts") == .ansible)
    #expect(InventoryFormat.detect("root@web1:2222\n", file: "fleet.txt") == .native)
    // A host with a port looks like `name:` only with nothing after the colon.
    #expect(InventoryFormat.detect("web1:2222\n", file: "fleet.txt") == .native)
  }
}

@Suite struct SSHAlgorithmListTests {
  static let library = ["aes128-ctr", "aes192-ctr", "aes256-ctr", "aes256-cbc", "aes128-cbc", "3des-cbc"]

  @Test func listsApplyToTheLibrarysAsOpenSSHAppliesThemToItsDefaults() {
    #expect(SSHAlgorithmList.apply("aes256-ctr,chacha20-poly1305@openssh.com,aes128-ctr", to: Self.library) == ["aes256-ctr", "aes128-ctr"])
    #expect(SSHAlgorithmList.apply("-*-cbc", to: Self.library) == ["aes128-ctr", "aes192-ctr", "aes256-ctr"])
    #expect(SSHAlgorithmList.apply("^aes256-cbc", to: Self.library) == ["aes256-cbc", "aes128-ctr", "aes192-ctr", "aes256-ctr", "aes128-cbc", "3des-cbc"])
    #expect(SSHAlgorithmList.apply("+3des-cbc", to: Self.library) == Self.library)
    #expect(SSHAlgorithmList.apply("chacha20-poly1305@openssh.com", to: Self.library).isEmpty)
    #expect(SSHAlgorithmList.apply("AES*-CTR", to: Self.library) == ["aes128-ctr", "aes192-ctr", "aes256-ctr"])
  }
}
