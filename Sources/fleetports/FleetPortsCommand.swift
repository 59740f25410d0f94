import ArgumentParser

#if canImport(Glibc)
  import Glibc
#endif

/// The `fleetports` command: audits what a fleet of Linux hosts exposes on the network.
@main
struct FleetPortsCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fleetports",
    abstract: "Audit what a fleet of Linux hosts listens on, over SSH.",
    discussion: """
      fleetports logs into every host of an inventory, collects its sockets in one round trip, \
      and reports what is exposed where.

      Each subcommand documents its exit codes; 2 is always a usage error.
      """,
    version: "0.1.0",
    subcommands: [
      ScanCommand.self, LocalCommand.self, ParseCommand.self, ReportCommand.self, DiffCommand.self, HistoryCommand.self,
      PruneCommand.self,
    ]
  )

  /// Runs the command and maps usage errors to exit code 2, as the README documents
  /// (ArgumentParser's own default is 64).
  static func main() async {
    // A parent may hand us a blocked SIGINT (test runners do); Ctrl-C must always reach us.
    var interrupt = sigset_t()
    sigemptyset(&interrupt)
    sigaddset(&interrupt, SIGINT)
    pthread_sigmask(SIG_UNBLOCK, &interrupt, nil)
    var command: any ParsableCommand
    do {
      command = try parseAsRoot()
    } catch {
      // Bad flags or arguments: ArgumentParser's message and usage, exit 2 (its default is 64).
      let code = exitCode(for: error)
      if code == .validationFailure {
        FileOutput.standardError(fullMessage(for: error) + "\n")
        exit(withError: ExitCode(2))
      }
      exit(withError: error)
    }
    do {
      if var asyncCommand = command as? any AsyncParsableCommand {
        try await asyncCommand.run()
      } else {
        try command.run()
      }
    } catch let error as ValidationError {
      // A problem with what the user handed us (unreadable inventory, malformed line): no usage dump.
      let name = type(of: command).configuration.commandName ?? "fleetports"
      FileOutput.standardError("fleetports \(name): \(error.message)\n")
      exit(withError: ExitCode(2))
    } catch {
      exit(withError: error)
    }
  }
}
