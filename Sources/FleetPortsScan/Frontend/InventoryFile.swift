import FleetPortsCore
import Foundation
import Yams

/// An inventory file read in whichever format it is: fleetports' own or Ansible INI (parsed
/// in FleetPortsCore from text), Ansible YAML or `ansible-inventory --list` JSON (read here
/// with Yams into `InventoryNode`s, which FleetPortsCore turns into hosts; Core stays free
/// of a YAML library). JSON is read by the same YAML 1.1 reader: JSON documents are YAML.
enum InventoryFile {
  /// The hosts `path` lists.
  /// - Throws: `ScanInputError` for a file that cannot be read, or every problem as `file:line: …`.
  static func load(_ path: String) throws(ScanInputError) -> Inventory {
    guard let data = FileContents.read(path) else { throw ScanInputError("cannot read inventory \(path)") }
    let text = String(decoding: data, as: UTF8.self)
    do {
      return try parse(text, file: path)
    } catch {
      throw ScanInputError("\(error)")
    }
  }

  /// Parses `text` read from `file` (the name also picks the format: `InventoryFormat.detect(_:file:)`).
  static func parse(_ text: String, file: String) throws(InventoryError) -> Inventory {
    let format = InventoryFormat.detect(text, file: file)
    switch format {
    case .native, .ansible:
      return try InventoryParser.parse(text, file: file, format: format)
    case .ansibleYAML, .ansibleJSON:
      let root: Node?
      do {
        root = try Yams.compose(yaml: text)
      } catch let error as YamlError {
        throw syntaxError(error, file: file, format: format)
      } catch {
        throw InventoryError(problems: [InventoryProblem(.syntax("invalid \(format == .ansibleJSON ? "JSON" : "YAML"): \(error)"), at: SourceLine(file: file, line: 1))])
      }
      guard let root else { return Inventory() }
      return try AnsibleTreeInventoryParser.parse(tree(root), file: file, format: format)
    }
  }

  /// Yams' node as `InventoryNode` (lines 1-based, as Yams marks them).
  static func tree(_ node: Node) -> InventoryNode {
    let line = node.mark?.line
    switch node {
    case .scalar(let scalar):
      if scalar.style == .plain, ["", "~", "null", "Null", "NULL"].contains(scalar.string) { return .null(line: line) }
      return .scalar(scalar.string, line: line)
    case .mapping(let mapping):
      return .mapping(mapping.map { key, value in InventoryNode.Entry(key: key.string ?? "", value: tree(value), line: key.mark?.line) }, line: line)
    case .sequence(let sequence):
      return .sequence(sequence.map(tree), line: line)
    }
  }

  static func syntaxError(_ error: YamlError, file: String, format: InventoryFormat) -> InventoryError {
    let kind = format == .ansibleJSON ? "JSON" : "YAML"
    switch error {
    case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
      return InventoryError(problems: [InventoryProblem(.syntax("invalid \(kind): \(problem) (column \(mark.column))"), at: SourceLine(file: file, line: mark.line))])
    default:
      return InventoryError(problems: [InventoryProblem(.syntax("invalid \(kind): \(error)"), at: SourceLine(file: file, line: 1))])
    }
  }
}
