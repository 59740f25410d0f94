import Foundation

/// Loads the captured outputs under Fixtures/ (see Fixtures/README.md for their origins).
enum FixtureFiles {
  static var root: URL {
    guard let url = Bundle.module.resourceURL?.appendingPathComponent("Fixtures") else {
      fatalError("Fixtures are not bundled with the test target")
    }
    return url
  }

  static func bytes(_ relativePath: String) throws -> [UInt8] {
    let url = root.appendingPathComponent(relativePath)
    return Array(try Data(contentsOf: url))
  }

  /// Every captured `.out` file under one tool's folder, as relative paths.
  static func all(in folder: String) throws -> [String] {
    let names = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path)
    return names.filter { $0.hasSuffix(".out") }.sorted().map { "\(folder)/\($0)" }
  }
}
