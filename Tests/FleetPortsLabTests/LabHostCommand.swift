import Foundation
import LabSupport

/// Runs a command inside a lab host's network namespace (root only), for tests that read
/// real tool output without going through SSH.
enum LabHostCommand {
  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  static func run(_ host: LabHost, _ arguments: [String], asUser user: String? = nil) throws -> [UInt8] {
    var command = ["ip", "netns", "exec", host.namespace]
    if let user { command += ["runuser", "-u", user, "--"] }
    command += arguments
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = command
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw Failure(description: "\(command.joined(separator: " ")) exited \(process.terminationStatus)")
    }
    return Array(data)
  }

  /// The lab, or nil with a recorded reason; fails the caller when `make test` said a lab must be up.
  static func lab() throws -> LabFleet? {
    let fleet = try LabFleet.current()
    if fleet == nil && ProcessInfo.processInfo.environment["FLEETPORTS_REQUIRE_LAB"] == "1" {
      throw Failure(description: LabFleet.notUpMessage)
    }
    return fleet
  }
}
