import ArgumentParser
import FleetPortsCore
import FleetPortsReport
import FleetPortsScan
import FleetPortsStore
import Foundation

/// `fleetports local`: audit this machine with the same probe and pipeline, without SSH.
struct LocalCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "local",
    abstract: "Audit this machine with the same probe, without SSH.",
    discussion: "Runs the probe through /bin/sh here and writes scan.json like `scan` does. Run it as root for full process attribution. Findings are analysed as for `scan` (--policy, --fail-on).\n\nExit codes: 0 scanned; 1 unsuppressed findings at or above --fail-on; 4 the probe failed; 2 usage error (flags, policy)."
  )

  @Option(help: "Where owners come from: auto, ss, netstat, lsof or proc.")
  var method: ProbeMethod = .auto

  @OptionGroup var output: ReportOutput

  @OptionGroup var analysis: AnalysisOptions

  @OptionGroup var database: StoreOptions

  func run() async throws {
    let policy = try analysis.loadPolicy()
    let startedAt = Date()
    try output.prepare(startedAt: startedAt)
    let history = try database.open()
    let host = await LocalCollector.collect(method: method)
    let options = ScanOptions(inventory: "(local)", method: method, sudo: false, parallel: 1, timeoutSeconds: 0, hostKeyChecking: "n/a")
    let analysed = ScanResult(
      toolVersion: FleetPortsCommand.configuration.version, startedAt: ScanArchive.iso8601(startedAt),
      finishedAt: ScanArchive.iso8601(Date()), interrupted: false, options: options, hosts: [host]
    ).analyzed(policy: policy, today: AnalysisOptions.today())
    let recorded = ScanRecorder.record(analysed, in: history)
    let scan = recorded.scan
    let written = try output.write(scan, json: recorded.json, startedAt: startedAt)
    FileOutput.standardOutput(ScanSummaryText.render(scan, reportPath: written.failed ? nil : written.paths.joined(separator: ", ")))
    FileOutput.standardOutput(ScanRecorder.summary(recorded, path: history.path))
    FileOutput.standardOutput(FindingsText.render(scan, failOn: analysis.failOn))
    if written.failed || recorded.failed { throw ReportOutput.writeFailure }
    if analysis.failed(scan) { throw ExitCode(1) }
    if host.status != .ok { throw ExitCode(4) }
  }
}
