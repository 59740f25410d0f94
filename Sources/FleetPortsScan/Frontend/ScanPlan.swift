import FleetPortsCore
import FleetPortsSSH

/// A scan ready to run: every input read and checked, nothing contacted yet.
public struct ScanPlan: Sendable {
  /// Where the hosts come from: SSH to the targets, or this machine through `/bin/sh`.
  public enum Source: Sendable {
    /// `fleetports scan`: the targets, through `scanner`; `refused` are hosts the inputs
    /// already rule out (a proxy ssh_config asks for), rows with their reason.
    case fleet(scanner: FleetScanner, targets: [ScanTarget], refused: [HostResult])
    /// `fleetports local`: this machine, the probe run by `/bin/sh -s`.
    case local(method: ProbeMethod)
  }

  public var source: Source
  /// The settings the scan records in scan.json.
  public var options: ScanOptions
  public var policy: Policy?
  /// `--verify-reach`: after the analysis, TCP connects from here to the listeners judged open
  /// or blocked (`ReachVerifier`), recorded in scan.json.
  public var verifyReach = false

  public init(source: Source, options: ScanOptions, policy: Policy?) {
    self.source = source
    self.options = options
    self.policy = policy
  }

  /// Hosts the scan will report on (targets and refused ones; 1 for `local`).
  public var hostCount: Int {
    switch source {
    case .fleet(_, let targets, let refused): return targets.count + refused.count
    case .local: return 1
    }
  }
}
