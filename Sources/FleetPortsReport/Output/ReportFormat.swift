/// A file `ReportWriter` can write: `report.html`, `report.md`, `scan.json`, `report.sarif`
/// or `report.junit.xml`.
public enum ReportFormat: String, CaseIterable, Sendable {
  case html
  case md
  case json
  case sarif
  case junit

  /// The file name this format is written to inside a scan folder.
  public var fileName: String {
    switch self {
    case .html: return "report.html"
    case .md: return "report.md"
    case .json: return "scan.json"
    case .sarif: return "report.sarif"
    case .junit: return "report.junit.xml"
    }
  }

  /// Parses a comma list such as `html,md,json` (case-insensitive, spaces allowed, repeats
  /// ignored, order kept). Throws for an empty list or a name that is not a format.
  public static func parseList(_ text: String) throws(ReportFormatError) -> [ReportFormat] {
    var formats: [ReportFormat] = []
    for piece in text.split(separator: ",", omittingEmptySubsequences: false) {
      let name = piece.trimmingCharacters(in: " \t").lowercased()
      if name.isEmpty { continue }
      guard let format = ReportFormat(rawValue: name) ?? (name == "markdown" ? .md : nil) else {
        throw .unknownFormat(name)
      }
      if !formats.contains(format) { formats.append(format) }
    }
    guard !formats.isEmpty else { throw .empty }
    return formats
  }
}

/// Why a `--format` list was refused.
public enum ReportFormatError: Error, Equatable, CustomStringConvertible {
  case unknownFormat(String)
  case empty

  public var description: String {
    let valid = ReportFormat.allCases.map(\.rawValue).joined(separator: ", ")
    switch self {
    case .unknownFormat(let name): return "unknown report format '\(name)'; choose from \(valid)"
    case .empty: return "no report format given; choose from \(valid)"
    }
  }
}

extension StringProtocol {
  /// Drops the given characters from both ends (Foundation-free).
  func trimmingCharacters(in set: String) -> String {
    var slice = Substring(self)
    while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
    while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
    return String(slice)
  }
}
