import ArgumentParser
import FleetPortsCore
import FleetPortsScan
import FleetPortsStore
import Foundation

/// `fleetports local`: audit this machine with the same probe and pipeline, without SSH.
struct LocalCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "local",
    abstract: "Audit this machine with the same probe, without SSH.",
    discussion: "Runs the probe through /bin/sh here and writes scan.json like `scan` does. Run it as root for full process attribution. Findings are analysed as for `scan` (--policy, --fail-on).\n\nExit codes (the first that applies): 5 the files or the history record could not all be written; 1 unsuppressed findings at or above --fail-on; 4 the probe failed; 3 its results are incomplete (a kernel table cut or unreadable); 0 scanned; 2 usage error (flags, --out, --db, policy)."
  )

  @Option(help: "Where owners come from: auto, ss, netstat, lsof or proc.")
  var method: ProbeMethod = .auto

  @OptionGroup var output: ReportOutput

  @OptionGroup var analysis: AnalysisOptions

  @OptionGroup var database: StoreOptions

  func run() async throws {
    let plan: ScanPlan
    do {
      plan = try ScanInputs.local(method: method, policy: analysis.policy)
    } catch {
      throw ValidationError(error.description)
    }
    let session = ScanSession(
      plan: plan, reports: try output.destination(), store: try database.open(), toolVersion: FleetPortsCommand.configuration.version)
    try ScanCommand.finish(await session.run(), failOn: analysis.failOn, verbose: analysis.verbose)
  }
}
