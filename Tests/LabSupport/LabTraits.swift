import Testing

extension Trait where Self == ConditionTrait {
  /// Runs the test or suite only when the lab fleet is up, and reports it as skipped otherwise;
  /// with `FLEETPORTS_REQUIRE_LAB=1` (`make test` as root) it always runs, so a missing lab fails
  /// in `LabFleet.forTests()` instead of passing or skipping.
  public static var labFleet: Self {
    .enabled(if: LabFleet.testsEnabled, "needs the lab fleet: `make test` as root, or lab/with-lab.sh 8 -- swift test")
  }
}
