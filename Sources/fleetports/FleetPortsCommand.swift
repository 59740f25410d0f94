import ArgumentParser

/// The `fleetports` command: audits what a fleet of Linux hosts exposes on the network.
@main
struct FleetPortsCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fleetports",
    abstract: "Audit what a fleet of Linux hosts listens on, over SSH.",
    discussion: """
      fleetports logs into every host of an inventory, collects its sockets in one round trip, \
      and reports what is exposed where. Today it parses captured output; scanning arrives next.

      Exit codes: 0 success, 1 nothing recognised (parse), 2 usage error.
      """,
    version: "0.1.0",
    subcommands: [ParseCommand.self]
  )

  /// Runs the command and maps usage errors to exit code 2, as the README documents
  /// (ArgumentParser's own default is 64).
  static func main() async {
    do {
      var command = try parseAsRoot()
      if var asyncCommand = command as? any AsyncParsableCommand {
        try await asyncCommand.run()
      } else {
        try command.run()
      }
    } catch {
      let code = exitCode(for: error)
      if code == .validationFailure {
        let message = fullMessage(for: error)
        FileOutput.standardError(message + "\n")
        exit(withError: ExitCode(2))
      }
      exit(withError: error)
    }
  }
}
