/// The order people expect for host names and addresses: runs of digits compare as numbers,
/// so `10.0.0.3` < `10.0.0.11` and `web-2` < `web-10`; the rest compares by Unicode scalars.
/// Ties (`web-01` and `web-1`) fall back to plain text order, so the order is total.
public enum NaturalOrder {
  /// True when `a` sorts before `b`.
  public static func areInIncreasingOrder(_ a: String, _ b: String) -> Bool {
    let result = compare(Array(a.unicodeScalars), Array(b.unicodeScalars))
    return result != 0 ? result < 0 : a < b
  }

  static func compare(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
    var i = 0
    var j = 0
    while i < a.count && j < b.count {
      if isDigit(a[i]) && isDigit(b[j]) {
        let startA = i
        let startB = j
        while i < a.count && isDigit(a[i]) { i += 1 }
        while j < b.count && isDigit(b[j]) { j += 1 }
        // Compare the runs as numbers without converting (a run can be longer than any integer):
        // strip leading zeros, then the longer run is larger, then digit by digit.
        let runA = a[startA..<i].drop { $0 == "0" }
        let runB = b[startB..<j].drop { $0 == "0" }
        if runA.count != runB.count { return runA.count < runB.count ? -1 : 1 }
        for (x, y) in zip(runA, runB) where x != y { return x.value < y.value ? -1 : 1 }
        continue
      }
      if a[i] != b[j] { return a[i].value < b[j].value ? -1 : 1 }
      i += 1
      j += 1
    }
    if i < a.count { return 1 }
    if j < b.count { return -1 }
    return 0
  }

  static func isDigit(_ scalar: Unicode.Scalar) -> Bool { scalar.value >= 48 && scalar.value <= 57 }
}
