import FleetPortsCore

/// The one table aligner of the terminal outputs (scan summary, history, `parse`): columns
/// padded to their widest cell, two spaces apart, no padding after the last column and no
/// trailing spaces. Cells are shown as given: callers sanitise host-supplied text first
/// (`TerminalText.sanitize`).
public enum TerminalTable {
  /// `rows[0]` is the header; every row has its number of cells. Widths count characters.
  public static func render(_ rows: [[String]]) -> String {
    guard let header = rows.first else { return "" }
    let widths = header.indices.map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
    var text = ""
    for row in rows {
      var line = ""
      for (index, cell) in row.enumerated() {
        if index > 0 { line += "  " }
        line += cell
        if index < row.count - 1, index < widths.count { line += String(repeating: " ", count: max(0, widths[index] - cell.count)) }
      }
      while line.last == " " { line.removeLast() }
      text += line + "\n"
    }
    return text
  }
}
