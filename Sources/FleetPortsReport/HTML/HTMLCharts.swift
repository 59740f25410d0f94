import FleetPortsCore

/// The overview's small charts as inline SVG geometry: numbers only (no host text), laid out
/// here and printed by `overview.mustache` with escaping like everything else. No script, font
/// or image is needed to draw them, and they print.
enum HTMLCharts {
  /// A part of a stacked bar: its share of the 300-unit width.
  static func stacked(_ parts: [(label: String, value: Int, css: String)]) -> [[String: Any]] {
    let total = parts.reduce(0) { $0 + $1.value }
    var x = 0.0
    var result: [[String: Any]] = []
    for part in parts where part.value > 0 && total > 0 {
      let width = 300.0 * Double(part.value) / Double(total)
      result.append(["x": fixed(x), "w": fixed(width), "css": part.css, "tip": "\(part.label) \(part.value)"])
      x += width
    }
    return result
  }

  /// Columns of a 5-bar chart (220 × 90 units): one per severity, most severe first.
  static func columns(_ values: [(label: String, value: Int, css: String)]) -> [[String: Any]] {
    let top = max(1, values.map(\.value).max() ?? 1)
    return values.enumerated().map { index, entry in
      let height = 54.0 * Double(entry.value) / Double(top)
      return [
        "x": fixed(8 + Double(index) * 42), "y": fixed(70 - height), "h": fixed(height), "css": entry.css,
        "labelX": fixed(8 + Double(index) * 42 + 15), "valueY": fixed(66 - height), "value": entry.value, "label": entry.label,
        "tip": "\(entry.label) \(entry.value)",
      ]
    }
  }

  /// The trend chart (600 × 160 units): per scan a column of its findings stacked by severity
  /// (left scale) and a point of its listeners beyond loopback (right scale, joined by a line).
  static func trend(_ trend: ScanTrend) -> [String: Any] {
    let points = trend.points
    let (left, right, top, bottom) = (40.0, 560.0, 14.0, 130.0)
    let step = (right - left) / Double(max(points.count, 1))
    let maxFindings = max(1, points.map(\.findingTotal).max() ?? 1)
    let maxListeners = max(1, points.map(\.listenersBeyondLoopback).max() ?? 1)
    var columns: [[String: Any]] = []
    var dots: [[String: Any]] = []
    var line: [String] = []
    for (index, point) in points.enumerated() {
      let x = left + Double(index) * step
      var y = bottom
      for severity in Severity.allCases {
        let count = point.findings[severity] ?? 0
        guard count > 0 else { continue }
        let height = (bottom - top) * Double(count) / Double(maxFindings)
        y -= height
        // At most 36 units wide, so one or two scans do not draw slabs.
        let width = min(36, max(1, step * 0.6))
        columns.append([
          "x": fixed(x + (step - width) / 2), "y": fixed(y), "w": fixed(width), "h": fixed(height), "css": "sev-\(severity.rawValue)",
          "tip": "\(point.label): \(count) \(severity.rawValue)",
        ])
      }
      let cx = x + step / 2
      let cy = bottom - (bottom - top) * Double(point.listenersBeyondLoopback) / Double(maxListeners)
      line.append("\(fixed(cx)),\(fixed(cy))")
      let findings = Severity.allCases.reversed().compactMap { s in point.findings[s].map { "\($0) \(s.rawValue)" } }
      dots.append([
        "cx": fixed(cx), "cy": fixed(cy),
        "tip": "\(point.label) \(point.startedAt): \(point.listenersBeyondLoopback) listeners beyond loopback; findings "
          + (findings.isEmpty ? "none" : findings.joined(separator: ", ")),
      ])
    }
    var chart: [String: Any] = [
      "trendColumns": columns, "trendDots": dots, "trendLine": line.joined(separator: " "), "maxFindings": maxFindings,
      "maxListeners": maxListeners, "trendCount": points.count,
    ]
    if let first = points.first, let last = points.last {
      chart["firstLabel"] = first.label + " " + String(first.startedAt.prefix(10))
      chart["lastLabel"] = last.label + " " + String(last.startedAt.prefix(10))
    }
    if points.count < 2 { chart["trendSingle"] = true }
    return chart
  }

  /// One decimal place: enough for a 600-unit drawing, and stable text for tests.
  static func fixed(_ value: Double) -> String {
    let tenths = Int((value * 10).rounded())
    return tenths < 0 ? "-\(-tenths / 10).\(-tenths % 10)" : "\(tenths / 10).\(tenths % 10)"
  }
}
