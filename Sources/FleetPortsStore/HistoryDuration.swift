/// A duration as `--since` and `--older-than` take it: a whole number and a unit,
/// `30m`, `12h`, `7d`, `2w` (also `s`).
public enum HistoryDuration {
  /// Seconds, or nil when `text` is not `<number><s|m|h|d|w>` with a positive number.
  public static func seconds(_ text: String) -> Double? {
    guard let unit = text.last, let number = Int(text.dropLast()), number > 0, number < 100_000_000 else { return nil }
    switch unit {
    case "s": return Double(number)
    case "m": return Double(number) * 60
    case "h": return Double(number) * 3600
    case "d": return Double(number) * 86_400
    case "w": return Double(number) * 604_800
    default: return nil
    }
  }
}
