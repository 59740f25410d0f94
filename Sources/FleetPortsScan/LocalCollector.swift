import FleetPortsCore
import Foundation

/// `fleetports local`: the same probe and pipeline on this machine, through `sh -s`, no SSH.
public enum LocalCollector {
  public static func collect(method: ProbeMethod, sectionCap: Int = ProbeScript.defaultSectionCap) throws -> HostResult {
    let nonce = ProbeScript.makeNonce()
    let script = ProbeScript.make(nonce: nonce, method: method, sectionCap: sectionCap)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-s"]
    let input = Pipe()
    let output = Pipe()
    let errors = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = errors
    let clock = ContinuousClock()
    let start = clock.now
    try process.run()
    // Write the script from another thread so a full stdout pipe cannot deadlock us.
    let writer = Thread {
      input.fileHandleForWriting.write(Data(script.utf8))
      try? input.fileHandleForWriting.close()
    }
    writer.start()
    let stderrData = LockedData()
    let errorReader = Thread { stderrData.set(errors.fileHandleForReading.readDataToEndOfFile()) }
    errorReader.start()
    let stdout = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while !stderrData.isSet { Thread.sleep(forTimeInterval: 0.01) }
    let elapsed = clock.now - start
    let hostname = ProcessInfo.processInfo.hostName
    var result = HostResult(name: hostname, address: "localhost", port: 0, user: NSUserName(), groups: [], status: .failed)
    result.durationSeconds = elapsed.seconds
    switch ProbeCommand.interpret(
      stdout: Array(stdout), stderr: Array(stderrData.value), exitStatus: process.terminationStatus, nonce: nonce, sudo: false)
    {
    case .success(let snapshot):
      result.status = .ok
      result.snapshot = snapshot
      if let name = snapshot.meta.hostname { result.name = name }
    case .failure(let failure):
      result.failure = failure
    }
    return result
  }
}

/// A Data filled by one thread and read by another once it is set.
final class LockedData: @unchecked Sendable {
  private let lock = NSLock()
  private var data = Data()
  private var done = false

  func set(_ value: Data) {
    lock.lock()
    data = value
    done = true
    lock.unlock()
  }

  var isSet: Bool {
    lock.lock()
    defer { lock.unlock() }
    return done
  }

  var value: Data {
    lock.lock()
    defer { lock.unlock() }
    return data
  }
}
