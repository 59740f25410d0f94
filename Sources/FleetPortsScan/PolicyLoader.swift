import FleetPortsCore
import Foundation
import Yams

/// Why a policy file was refused: where (file, line, column) and what to change.
public struct PolicyError: Error, Hashable, Sendable, CustomStringConvertible {
  public var file: String
  /// 1-based; nil when the problem has no place (the file could not be read).
  public var line: Int?
  public var column: Int?
  public var message: String

  public init(file: String, line: Int?, column: Int?, message: String) {
    self.file = file
    self.line = line
    self.column = column
    self.message = message
  }

  /// `policy.yaml:12:5: unknown key "alow" in hosts.web-1 (expected: allow, thresholds)`.
  public var description: String {
    guard let line else { return "\(file): \(message)" }
    return "\(file):\(line):\(column ?? 1): \(message)"
  }
}

/// Reads a policy file (YAML, docs/policy.md) into `Policy`. Strict: unknown keys, wrong
/// types, bad ports or dates, unknown rule ids and suppressions without a reason are refused
/// with their line and column, so a typo never silently allows or hides anything.
public enum PolicyLoader {
  public static func load(path: String) throws(PolicyError) -> Policy {
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw PolicyError(file: path, line: nil, column: nil, message: "cannot read the policy file (missing or not readable)")
    }
    defer { try? handle.close() }
    let data: Data
    do {
      data = try handle.readToEnd() ?? Data()
    } catch {
      throw PolicyError(file: path, line: nil, column: nil, message: "cannot read the policy file: \(error.localizedDescription)")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw PolicyError(file: path, line: nil, column: nil, message: "the policy file is not UTF-8 text")
    }
    return try parse(text, file: path)
  }

  public static func parse(_ text: String, file: String) throws(PolicyError) -> Policy {
    let root: Node?
    do {
      root = try Yams.compose(yaml: text)
    } catch let error as YamlError {
      throw yamlError(error, file: file, text: text)
    } catch {
      throw PolicyError(file: file, line: nil, column: nil, message: "invalid YAML: \(error)")
    }
    guard let root else { return Policy() }
    return try PolicyReader(file: file).policy(root)
  }

  static func yamlError(_ error: YamlError, file: String, text: String) -> PolicyError {
    switch error {
    case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
      return PolicyError(file: file, line: mark.line, column: mark.column, message: "invalid YAML: \(problem)")
    case .reader(let problem, let offset, _, _):
      let position = offset.map { lineAndColumn(text, utf8Offset: $0) }
      return PolicyError(file: file, line: position?.line, column: position?.column, message: "invalid YAML: \(problem)")
    default:
      return PolicyError(file: file, line: nil, column: nil, message: "invalid YAML: \(error)")
    }
  }

  static func lineAndColumn(_ text: String, utf8Offset: Int) -> (line: Int, column: Int) {
    var line = 1
    var column = 1
    for byte in text.utf8.prefix(utf8Offset) {
      if byte == 10 {
        line += 1
        column = 1
      } else {
        column += 1
      }
    }
    return (line, column)
  }
}

/// Walks the composed YAML tree, checking every key and type.
struct PolicyReader {
  let file: String

  func error(_ node: Node?, _ message: String) -> PolicyError {
    PolicyError(file: file, line: node?.mark?.line, column: node?.mark?.column, message: message)
  }

  /// The pairs of a mapping, refusing keys not in `allowed` and duplicates.
  func fields(_ node: Node, at path: String, allowed: [String]) throws(PolicyError) -> [(key: String, keyNode: Node, value: Node)] {
    guard case .mapping(let mapping) = node else {
      throw error(node, "\(path) must be a mapping (key: value lines), found \(kind(node))")
    }
    var seen: Set<String> = []
    var result: [(key: String, keyNode: Node, value: Node)] = []
    for (keyNode, value) in mapping {
      guard case .scalar(let scalar) = keyNode else { throw error(keyNode, "\(path) has a key that is not text") }
      let key = scalar.string
      if !allowed.isEmpty && !allowed.contains(key) {
        throw error(keyNode, "unknown key \"\(key)\" in \(path) (expected: \(allowed.joined(separator: ", ")))")
      }
      guard seen.insert(key).inserted else { throw error(keyNode, "key \"\(key)\" appears twice in \(path)") }
      result.append((key, keyNode, value))
    }
    return result
  }

  /// A key written with nothing after it (`hosts:`), or `~` / `null`.
  func isEmpty(_ node: Node) -> Bool {
    guard case .scalar(let scalar) = node else { return false }
    return scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
  }

  func kind(_ node: Node) -> String {
    switch node {
    case .scalar(let scalar): return "the value \"\(scalar.string)\""
    case .mapping: return "a mapping"
    case .sequence: return "a list"
    }
  }

  func string(_ node: Node, at path: String) throws(PolicyError) -> String {
    guard case .scalar(let scalar) = node else { throw error(node, "\(path) must be text, found \(kind(node))") }
    return scalar.string
  }

  func integer(_ node: Node, at path: String, range: ClosedRange<Int>) throws(PolicyError) -> Int {
    let text = try string(node, at: path)
    guard let value = Int(text), range.contains(value) else {
      throw error(node, "\(path) must be a whole number from \(range.lowerBound) to \(range.upperBound), found \"\(text)\"")
    }
    return value
  }

  func policy(_ root: Node) throws(PolicyError) -> Policy {
    var policy = Policy()
    for field in try fields(root, at: "the policy", allowed: ["defaults", "groups", "hosts", "suppressions"]) {
      switch field.key {
      case "defaults": policy.defaults = try rules(field.value, at: "defaults")
      case "groups": policy.groups = try named(field.value, at: "groups")
      case "hosts": policy.hosts = try named(field.value, at: "hosts")
      default: policy.suppressions = try suppressions(field.value)
      }
    }
    return policy
  }

  func named(_ node: Node, at path: String) throws(PolicyError) -> [String: PolicyRules] {
    if isEmpty(node) { return [:] }
    var result: [String: PolicyRules] = [:]
    for field in try fields(node, at: path, allowed: []) {
      result[field.key] = try rules(field.value, at: "\(path).\(field.key)")
    }
    return result
  }

  func rules(_ node: Node, at path: String) throws(PolicyError) -> PolicyRules {
    var rules = PolicyRules()
    if isEmpty(node) { return rules }
    for field in try fields(node, at: path, allowed: ["allow", "thresholds", "require"]) {
      if field.key == "require" {
        rules.require = try required(field.value, at: "\(path).require")
      } else if field.key == "allow" {
        for allow in try fields(field.value, at: "\(path).allow", allowed: ["public", "private"]) {
          let ports = try portList(allow.value, at: "\(path).allow.\(allow.key)")
          if allow.key == "public" { rules.allowPublic = ports } else { rules.allowPrivate = ports }
        }
      } else {
        rules.thresholds = try thresholds(field.value, at: "\(path).thresholds")
      }
    }
    return rules
  }

  func portList(_ node: Node, at path: String) throws(PolicyError) -> [PortAllowance] {
    guard case .sequence(let sequence) = node else {
      throw error(node, "\(path) must be a list of ports such as [80, 443, \"5432/tcp\"], found \(kind(node))")
    }
    var result: [PortAllowance] = []
    for item in sequence {
      let text = try string(item, at: "\(path) entries")
      guard let allowance = PortAllowance(text) else {
        throw error(item, "\(path): \"\(text)\" is not a port; write 443, \"5432/tcp\", \"53/udp\" or a range \"8000-8099/tcp\"")
      }
      result.append(allowance)
    }
    return result
  }

  /// `require:` — a list of `"22/tcp"` or `{port: "22/tcp", service: sshd}` (one port each,
  /// no range: a range cannot say which port must listen).
  func required(_ node: Node, at path: String) throws(PolicyError) -> [RequiredListener] {
    if isEmpty(node) { return [] }
    guard case .sequence(let sequence) = node else {
      throw error(node, "\(path) must be a list such as [\"22/tcp\", {port: \"9100/tcp\", service: node_exporter}], found \(kind(node))")
    }
    var result: [RequiredListener] = []
    for (index, item) in sequence.enumerated() {
      let name = "\(path)[\(index + 1)]"
      var portNode = item
      var service: String?
      if case .mapping = item {
        var found: Node?
        for field in try fields(item, at: name, allowed: ["port", "service"]) {
          if field.key == "port" {
            found = field.value
          } else {
            let text = try string(field.value, at: "\(name).service").trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else { throw error(field.value, "\(name).service is empty: name the service or process, or leave the key out") }
            service = text
          }
        }
        guard let found else { throw error(item, "\(name) has no port: write {port: \"22/tcp\", service: sshd}") }
        portNode = found
      }
      let text = try string(portNode, at: "\(name).port")
      guard let allowance = PortAllowance(text), allowance.ports.lowerBound == allowance.ports.upperBound else {
        throw error(portNode, "\(name): \"\(text)\" is not one port; write 22, \"22/tcp\" or \"161/udp\" (a range cannot be required)")
      }
      let location = item.mark.map { "\(file):\($0.line):\($0.column)" }
      result.append(RequiredListener(port: allowance.ports.lowerBound, proto: allowance.proto, service: service, location: location))
    }
    return result
  }

  func thresholds(_ node: Node, at path: String) throws(PolicyError) -> PolicyThresholds {
    var result = PolicyThresholds()
    let keys = ["close_wait", "time_wait", "queue_percent", "peer_outlier_percent"]
    for field in try fields(node, at: path, allowed: keys) {
      let name = "\(path).\(field.key)"
      switch field.key {
      case "close_wait": result.closeWait = try integer(field.value, at: name, range: 1...1_000_000)
      case "time_wait": result.timeWait = try integer(field.value, at: name, range: 1...10_000_000)
      case "queue_percent": result.queuePercent = try integer(field.value, at: name, range: 1...100)
      default: result.peerOutlierPercent = try integer(field.value, at: name, range: 1...100)
      }
    }
    return result
  }

  func suppressions(_ node: Node) throws(PolicyError) -> [Suppression] {
    if isEmpty(node) { return [] }
    guard case .sequence(let sequence) = node else {
      throw error(node, "suppressions must be a list of entries (each starting with `- rule: …`), found \(kind(node))")
    }
    var result: [Suppression] = []
    for (index, item) in sequence.enumerated() {
      let path = "suppressions[\(index + 1)]"
      var rule: String?
      var host: String?
      var port: UInt16?
      var reason: String?
      var expires: PolicyDate??
      for field in try fields(item, at: path, allowed: ["rule", "host", "port", "reason", "expires"]) {
        let name = "\(path).\(field.key)"
        switch field.key {
        case "rule":
          let id = try string(field.value, at: name)
          guard RuleCatalog.ids.contains(id) else {
            throw error(field.value, "\(name): unknown rule \"\(id)\" (known: \(RuleCatalog.ids.sorted().joined(separator: ", ")))")
          }
          rule = id
        case "host":
          host = try string(field.value, at: name)
        case "port":
          port = UInt16(try integer(field.value, at: name, range: 1...65535))
        case "reason":
          let text = try string(field.value, at: name).trimmingCharacters(in: .whitespacesAndNewlines)
          guard !text.isEmpty else { throw error(field.value, "\(name) is empty: say why this finding is accepted") }
          reason = text
        default:
          let text = try string(field.value, at: name)
          if text == "never" {
            expires = .some(nil)
          } else if let date = PolicyDate(text) {
            expires = .some(date)
          } else {
            throw error(field.value, "\(name) must be a date YYYY-MM-DD or `never`, found \"\(text)\"")
          }
        }
      }
      guard let rule else { throw error(item, "\(path) has no rule: name the rule id it suppresses") }
      guard let reason else { throw error(item, "\(path) has no reason: every suppression must say why it is accepted") }
      guard let expires else {
        throw error(item, "\(path) has no expires: give the last day it applies (YYYY-MM-DD), or `never`")
      }
      let location = item.mark.map { "\(file):\($0.line):\($0.column)" }
      result.append(Suppression(rule: rule, host: host, port: port, reason: reason, expires: expires, location: location))
    }
    return result
  }
}
