import Foundation
import Mustache

/// The HTML report: one self-contained file (inline CSS, JS; no external URL, nothing fetched),
/// rendered from the Mustache templates in `Templates/` over the `HTMLView` model. The page's
/// Content-Security-Policy allows only its own script (by nonce), so even text that escaped
/// escaping could not run.
enum HTMLReport {
  static func render(_ facts: ReportFacts) throws(ReportError) -> String {
    let library = try templates()
    let page = HTMLViewBuilder.page(facts, nonce: nonce())
    guard let html = library.render(page, withTemplate: "report") else {
      throw .template(name: "report.mustache", reason: "not found in the templates folder")
    }
    return html
  }

  /// The templates, parsed once per process.
  static func templates() throws(ReportError) -> MustacheLibrary {
    switch cachedLibrary {
    case .success(let library): return library
    case .failure(let error): throw error
    }
  }

  private static let cachedLibrary: Result<MustacheLibrary, ReportError> = {
    guard let folder = Bundle.module.url(forResource: "Templates", withExtension: nil) else {
      return .failure(.template(name: "Templates", reason: "the resource folder is missing from the bundle"))
    }
    var library = MustacheLibrary()
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    for file in names.sorted() where file.hasSuffix(".mustache") {
      let name = String(file.dropLast(".mustache".count))
      do {
        let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
        try library.register(text, named: name)
      } catch {
        return .failure(.template(name: file, reason: "\(error)"))
      }
    }
    guard library.getTemplate(named: "report") != nil else {
      return .failure(.template(name: "report.mustache", reason: "not found in \(folder.path)"))
    }
    return .success(library)
  }()

  /// A fresh CSP nonce: 128 random bits, hex.
  static func nonce() -> String {
    var generator = SystemRandomNumberGenerator()
    return (0..<2).map { _ in
      let hex = String(generator.next() as UInt64, radix: 16)
      return String(repeating: "0", count: 16 - hex.count) + hex
    }.joined()
  }
}
