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
    // Every template (a partial starts again from swift-mustache's own HTML escaping) begins
    // with the pragma that selects `HTMLEscaping`, the same escaping without its cost; a
    // pragma alone on its line leaves no trace in the output.
    MustacheContentTypes.register(HTMLEscaping(), named: HTMLEscaping.name)
    var library = MustacheLibrary()
    for (name, text) in EmbeddedTemplates.all.sorted(by: { $0.key < $1.key }) {
      do {
        try library.register("{{% CONTENT_TYPE: \(HTMLEscaping.name)}}\n" + text, named: name)
      } catch {
        return .failure(.template(name: name + ".mustache", reason: "\(error)"))
      }
    }
    guard library.getTemplate(named: "report") != nil else {
      return .failure(.template(name: "report.mustache", reason: "missing from EmbeddedTemplates"))
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
