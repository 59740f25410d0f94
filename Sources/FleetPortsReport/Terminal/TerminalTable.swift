import FleetPortsCore

/// The one table aligner of the terminal outputs (scan summary, history, `parse`): columns
/// padded to their widest cell, two spaces apart, no padding after the last column and no
/// trailing spaces. Cells are shown as given: callers sanitise host-supplied text first
/// (`TerminalText.sanitize`).
public enum TerminalTable {
  /// `rows[0]` is the header; every row has its number of cells. Widths count characters.
  public static func render(_ rows: [[String]]) -> String {
    guard let header = rows.first else { return "" }
    // Character counts once per cell (grapheme breaking is the costly part of a large table).
    let counts = rows.map { $0.map(\.count) }
    var widths = [Int](repeating: 0, count: header.count)
    for row in counts {
      for (column, count) in row.enumerated() where column < widths.count { widths[column] = max(widths[column], count) }
    }
    var text = ""
    text.reserveCapacity(rows.count * (widths.reduce(0, +) + 2 * widths.count + 1))
    for (row, cells) in rows.enumerated() {
      // The last cell that is not empty: nothing is padded after it.
      let end = (cells.lastIndex { !$0.isEmpty } ?? -1) + 1
      for index in 0..<end {
        if index > 0 { text += "  " }
        let cell = cells[index]
        text += cell
        if index < end - 1, index < widths.count, widths[index] > counts[row][index] {
          text += String(repeating: " ", count: widths[index] - counts[row][index])
        }
      }
      while text.last == " " { text.removeLast() }
      text += "\n"
    }
    return text
  }
}
