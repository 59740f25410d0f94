import FleetPortsCore
import FleetPortsScan
import Foundation
import LabSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

@Suite(.labFleet) struct InterruptAndSudoTests {
  @Test func ctrlCAbandonsHostsInFlightAndKeepsWhatFinished() async throws {
    let lab = try LabFleet.forTests()
    let dir = try LabScan.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let silent = (0..<3).map { _ in SilentListener() }
    defer { for listener in silent { listener.close() } }
    let finished = lab.hosts.prefix(3)
    let inventory = (finished.map { "root@\($0.ipv4)" } + silent.map { "root@127.0.0.1:\($0.port)" }).joined(separator: "\n")
    try inventory.write(toFile: dir + "/inventory.txt", atomically: true, encoding: .utf8)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: FleetPortsCLI.path)
    process.arguments = [
      "scan", dir + "/inventory.txt", "--db", dir + "/history.db", "--known-hosts", lab.knownHostsPath, "--identity", lab.identityPath,
      "--timeout", "60", "--parallel", "6", "--out", dir + "/report", "--ssh-config", "/dev/null",
    ]
    process.standardOutput = FileHandle.nullDevice
    let progress = Pipe()
    process.standardError = progress
    try process.run()
    // Progress lines ("3/6 …") say when the lab hosts are done; the silent ones would take a minute.
    let clock = ContinuousClock()
    let started = clock.now
    var seen = ""
    while !seen.contains("3/6"), clock.now - started < .seconds(30) {
      seen += String(decoding: progress.fileHandleForReading.availableData, as: UTF8.self)
    }
    #expect(seen.contains("3/6"), "the lab hosts did not finish: \(seen)")
    let interruptedAt = clock.now
    process.interrupt()
    while process.isRunning && clock.now - interruptedAt < .seconds(10) {
      try await Task.sleep(for: .milliseconds(20))
    }
    let stopTime = clock.now - interruptedAt
    #expect(!process.isRunning)
    // The promise is 2 s; allow for a loaded 2-core CI machine.
    #expect(stopTime < .seconds(3), "Ctrl-C took \(stopTime) to finish the scan")
    #expect(process.terminationStatus == 130)
    let scan = try JSONDecoder().decode(ScanResult.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/report/scan.json")))
    #expect(scan.interrupted)
    #expect(scan.hosts.count == 6)
    #expect(scan.hosts.filter { $0.status == .ok }.map(\.address) == finished.map(\.ipv4))
    #expect(scan.hosts.filter { $0.status == .notScanned }.allSatisfy { $0.failure?.code == .interrupted })
    #expect(scan.hosts.filter { $0.status == .notScanned }.count == 3)
  }

  @Test func sudoGivesFullAttributionAndIsRefusedWithoutPasswordlessSudo() async throws {
    let lab = try LabFleet.forTests()
    let host = lab.hosts[0]
    var withSudo = LabScan.target(host, user: lab.sudoUser)
    withSudo.sudo = true
    var refused = LabScan.target(host, user: lab.unprivilegedUser)
    refused.sudo = true
    let (results, _) = try await LabScan.scanner(lab).scan([withSudo, refused])
    let snapshot = try #require(results[0].snapshot, "\(results[0].failure?.message ?? "")")
    #expect(snapshot.provenance.isRoot)
    #expect(snapshot.provenance.attribution == .complete)
    #expect(Set(LabScan.listeners(snapshot, of: host).keys) == host.listenerKeys)
    #expect(results[1].status == .failed)
    #expect(results[1].failure?.code == .sudoRefused, "\(String(describing: results[1].failure))")
  }
}
