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
    let ran = try ChildProcess.run(["/usr/bin/env"] + command, timeout: .seconds(120))
    guard ran.status == 0, !ran.timedOut else {
      throw Failure(description: "\(command.joined(separator: " ")) \(ran.timedOut ? "timed out" : "exited \(ran.status)")")
    }
    return ran.stdout
  }
}
