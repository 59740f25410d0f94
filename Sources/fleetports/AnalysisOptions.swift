import ArgumentParser
import FleetPortsCore

/// `--policy FILE`, `--fail-on SEVERITY` and `--verbose`, shared by `scan` and `local`.
struct AnalysisOptions: ParsableArguments {
  @Option(help: "A policy file (YAML, see docs/policy.md): allowed ports per group and host, thresholds, suppressions.")
  var policy: String?

  @Option(help: "Exit with code 1 when an unsuppressed finding of this severity or worse exists: info, low, medium, high or critical.")
  var failOn: Severity?

  @Flag(help: "List every finding under its rule (by default the terminal shows one line per rule with its first hosts).")
  var verbose = false
}

extension Severity: ExpressibleByArgument {}
