/// Where a value was written: a file name (as the caller named it) and a 1-based line.
public struct SourceLine: Sendable, Hashable, Codable, CustomStringConvertible {
  public var file: String
  public var line: Int

  public init(file: String, line: Int) {
    self.file = file
    self.line = line
  }

  /// `file:line`, the form compilers use, so editors can jump to it.
  public var description: String { "\(file):\(line)" }
}
