import Foundation
import Testing

@testable import FleetPortsReport

/// The templates compiled into the binary are the .mustache files: editing one without
/// running tools/embed-templates.py fails here.
@Suite struct EmbeddedTemplatesTests {
  @Test func embeddedTemplatesMatchTheMustacheFiles() throws {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Sources/FleetPortsReport/Templates")
    let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".mustache") }
    #expect(Set(files.map { String($0.dropLast(".mustache".count)) }) == Set(EmbeddedTemplates.all.keys))
    for file in files {
      let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
      let name = String(file.dropLast(".mustache".count))
      #expect(EmbeddedTemplates.all[name] == String(text.dropLast(text.hasSuffix("\n") ? 1 : 0)), "\(file): run tools/embed-templates.py")
    }
  }
}
