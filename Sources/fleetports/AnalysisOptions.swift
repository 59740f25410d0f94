import ArgumentParser
import FleetPortsCore

/// `--policy FILE` and `--fail-on SEVERITY`, shared by `scan` and `local`.
struct AnalysisOptions: ParsableArguments {
  @Option(help: "A policy file (YAML, see docs/policy.md): allowed ports per group and host, thresholds, suppressions.")
  var policy: String?

  @Option(help: "Exit with code 1 when an unsuppressed finding of this severity or worse exists: info, low, medium, high or critical.")
  var failOn: Severity?
}

extension Severity: ExpressibleByArgument {}
