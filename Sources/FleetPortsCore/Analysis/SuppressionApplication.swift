/// Marks findings a policy suppresses and reports suppressions that have expired.
public enum SuppressionApplication {
  /// Sets `suppressed` on every finding the first live matching suppression covers; returns
  /// one note per expired suppression (which no longer applies).
  public static func apply(_ suppressions: [Suppression], to findings: inout [Finding], today: PolicyDate) -> [String] {
    let live = suppressions.filter { !$0.isExpired(today: today) }
    for i in findings.indices {
      guard let match = live.first(where: { $0.matches(findings[i]) }) else { continue }
      findings[i].suppressed = FindingSuppression(reason: match.reason, expires: match.expires?.description)
    }
    return suppressions.filter { $0.isExpired(today: today) }.map { suppression in
      let covered = findings.filter { suppression.matches($0) && $0.suppressed == nil }.count
      let place = suppression.location.map { " (\($0))" } ?? ""
      return "suppression\(place) of \(suppression.summary) expired on \(suppression.expires.map { "\($0)" } ?? "?") and no longer applies; "
        + "\(covered) finding(s) it would cover count again; its reason was: \(suppression.reason)"
    }
  }
}
