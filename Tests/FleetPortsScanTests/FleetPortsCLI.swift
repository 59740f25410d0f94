import Foundation
import LabSupport

/// The built `fleetports` command, run as a user would: exit status, stdout, stderr.
enum FleetPortsCLI {
  /// The executable built beside this test bundle (any `--scratch-path`), else .build/debug.
  static var path: String {
    let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("fleetports").path
    if FileManager.default.isExecutableFile(atPath: beside) { return beside }
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return root.appendingPathComponent(".build/debug/fleetports").path
  }

  /// Runs the command to its end (at most `timeout`) and returns its exit status and output.
  static func run(
    _ arguments: [String], stdin: String? = nil, timeout: Duration = .seconds(600)
  ) throws -> (status: Int32, stdout: String, stderr: String) {
    let ran = try ChildProcess.run([path] + arguments, stdin: stdin.map { Array($0.utf8) }, timeout: timeout)
    if ran.timedOut {
      throw ChildProcessError("fleetports \(arguments.joined(separator: " ")) did not finish in \(timeout); it was killed")
    }
    return (ran.status, ran.stdoutText, ran.stderrText)
  }
}
