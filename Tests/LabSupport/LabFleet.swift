import Foundation

/// Why a lab that looks up could not be loaded.
public struct LabFleetError: Error, CustomStringConvertible, Sendable {
  public var description: String
  public init(_ description: String) { self.description = description }
}

/// The running lab fleet (see lab/README.md): its truth, inventory and the ssh files.
///
///     @Suite(.labFleet) struct SomeLabTests {      // skipped when no lab is up
///       @Test func something() throws {
///         let lab = try LabFleet.forTests()
///         let host = lab.hosts[0]
///         // ssh -F lab.sshConfigPath host.name ...
///       }
///     }
public struct LabFleet: Sendable {
  /// The repository root.
  public let rootPath: String
  /// `lab/` in the repository.
  public let labPath: String
  /// `lab/run/`: generated files.
  public let runPath: String
  public let truth: LabTruth
  /// `inventory/lab.txt` (IPv4 hosts, `[web]` and `[db]` groups).
  public let inventoryPath: String
  public let inventoryText: String
  /// `lab/run/inventory-ipv6.txt` (host 1 by its IPv6 address).
  public let inventoryIPv6Path: String
  public let sshConfigPath: String
  public let knownHostsPath: String
  /// The client private key (ed25519, no passphrase); the public key is `identityPath + ".pub"`.
  public let identityPath: String

  public var hosts: [LabHost] { truth.hosts }
  public var unprivilegedUser: String { truth.users.unprivileged }
  public var sudoUser: String { truth.users.sudo }

  public static let notUpMessage =
    "lab fleet is not up: run `make lab-up N=6` (as root) or lab/with-lab.sh 6 -- <command>"

  /// The command prefix that runs a program inside `host` as its own processes are: in its
  /// network, UTS, mount and PID namespaces (`nsenter` on the host's init, lab/run/NAME/init.pid),
  /// so the host's `ss -p` and /proc see it. `ip netns exec` alone would leave it in the
  /// machine's PID namespace, invisible to the host's probe. nsenter forks into the PID
  /// namespace: a test that must stop the program kills the child too (PR_SET_PDEATHSIG).
  public func insideHost(_ host: LabHost) throws -> [String] {
    let file = runPath + "/" + host.name + "/init.pid"
    guard let text = try? String(contentsOfFile: file, encoding: .utf8),
      let pid = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
    else { throw LabFleetError("no init pid for \(host.name) in \(file)") }
    return ["/usr/bin/nsenter", "--target", String(pid), "--net", "--uts", "--mount", "--pid", "--"]
  }

  public func host(named name: String) -> LabHost? { hosts.first { $0.name == name } }
  public func host(index: Int) -> LabHost? { hosts.first { $0.index == index } }
  public func hosts(inGroup group: String) -> [LabHost] { hosts.filter { $0.isIn(group: group) } }

  /// Arguments for `/usr/bin/ssh` to run a command on a host through the lab ssh_config.
  public func sshArguments(_ host: LabHost, user: String? = nil, ipv6: Bool = false) -> [String] {
    var args = ["-F", sshConfigPath]
    if let user { args += ["-l", user] }
    args.append(ipv6 ? host.name + "-v6" : host.name)
    return args
  }

  /// The lab that is up now, or nil when none is (no truth file, or no lab bridge).
  /// The repository is found from `FLEETPORTS_LAB_DIR` (the `lab` directory, or the
  /// repository root) or by walking up from `filePath` to a directory holding `lab/lab.sh`.
  public static func current(filePath: String = #filePath) throws -> LabFleet? {
    guard let root = findRoot(filePath: filePath) else { return nil }
    return try load(rootPath: root)
  }

  /// Loads the lab of the repository at `rootPath`; nil when it is not up.
  public static func load(rootPath: String) throws -> LabFleet? {
    let fm = FileManager.default
    let lab = rootPath + "/lab"
    let run = lab + "/run"
    let truthPath = run + "/truth.json"
    guard fm.fileExists(atPath: truthPath) else { return nil }
    guard fm.fileExists(atPath: "/sys/class/net/fpbr0") else { return nil }
    let truth: LabTruth
    do {
      truth = try LabTruth.decode(try Data(contentsOf: URL(fileURLWithPath: truthPath)))
    } catch {
      throw LabFleetError("cannot read \(truthPath): \(error)")
    }
    let fleet = LabFleet(
      rootPath: rootPath, labPath: lab, runPath: run, truth: truth,
      inventoryPath: rootPath + "/inventory/lab.txt",
      inventoryText: (try? String(contentsOfFile: rootPath + "/inventory/lab.txt", encoding: .utf8)) ?? "",
      inventoryIPv6Path: run + "/inventory-ipv6.txt",
      sshConfigPath: run + "/ssh_config",
      knownHostsPath: run + "/known_hosts",
      identityPath: run + "/id_ed25519")
    for path in [fleet.inventoryPath, fleet.sshConfigPath, fleet.knownHostsPath, fleet.identityPath]
    where !fm.fileExists(atPath: path) {
      throw LabFleetError("lab truth exists but \(path) is missing; run `make lab-down lab-up`")
    }
    return fleet
  }

  /// The repository root, or nil when it cannot be found.
  public static func findRoot(filePath: String = #filePath) -> String? {
    let fm = FileManager.default
    if let env = ProcessInfo.processInfo.environment["FLEETPORTS_LAB_DIR"], !env.isEmpty {
      let url = URL(fileURLWithPath: env).standardizedFileURL
      if fm.fileExists(atPath: url.appendingPathComponent("lab.sh").path) {
        return url.deletingLastPathComponent().path
      }
      if fm.fileExists(atPath: url.appendingPathComponent("lab/lab.sh").path) {
        return url.path
      }
    }
    var dir = URL(fileURLWithPath: filePath).standardizedFileURL.deletingLastPathComponent()
    for _ in 0..<32 {  // bounded walk up
      if fm.fileExists(atPath: dir.appendingPathComponent("lab/lab.sh").path) { return dir.path }
      let parent = dir.deletingLastPathComponent()
      if parent.path == dir.path { break }
      dir = parent
    }
    return nil
  }
}

extension LabFleet {
  /// `make test` sets `FLEETPORTS_REQUIRE_LAB=1` when it brought a lab up: then a missing lab
  /// is a failure, never a skip, so CI cannot go green without the lab tests.
  public static var isRequired: Bool { ProcessInfo.processInfo.environment["FLEETPORTS_REQUIRE_LAB"] == "1" }

  /// Whether a lab looks up (its truth file and bridge exist), without reading it.
  public static func looksUp(filePath: String = #filePath) -> Bool {
    guard let root = findRoot(filePath: filePath) else { return false }
    let fm = FileManager.default
    return fm.fileExists(atPath: root + "/lab/run/truth.json") && fm.fileExists(atPath: "/sys/class/net/fpbr0")
  }

  /// Whether lab tests run at all: when a lab looks up, or when one is required (they then
  /// fail in `forTests()`). Otherwise they are reported as skipped (the `.labFleet` trait).
  public static var testsEnabled: Bool { isRequired || looksUp() }

  /// The lab for a test that the `.labFleet` trait let run.
  ///
  /// - Throws: `LabFleetError` when no lab is up (only reached when `FLEETPORTS_REQUIRE_LAB=1`
  ///   made the test run) or when the lab's files cannot be read.
  public static func forTests(filePath: String = #filePath) throws -> LabFleet {
    guard let fleet = try current(filePath: filePath) else { throw LabFleetError(notUpMessage) }
    return fleet
  }
}
