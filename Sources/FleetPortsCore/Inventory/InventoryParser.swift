/// Reads an inventory file's text: fleetports' native format or an Ansible INI inventory.
public enum InventoryParser {
  /// Parses `text` (read by the caller from `file`, which only names it in messages).
  /// With `format` nil the dialect is detected (`InventoryFormat.detect`).
  /// Every malformed line is reported, each as `file:line: message`.
  public static func parse(_ text: String, file: String, format: InventoryFormat? = nil) throws(InventoryError) -> Inventory {
    switch format ?? InventoryFormat.detect(text) {
    case .native: return try NativeInventoryParser.parse(text, file: file)
    case .ansible: return try AnsibleInventoryParser.parse(text, file: file)
    case .ansibleYAML, .ansibleJSON:
      // Their text is read into `InventoryNode`s at the edge (FleetPortsScan's YAML reader).
      throw InventoryError(problems: [
        InventoryProblem(.syntax("a YAML or JSON inventory is read through AnsibleTreeInventoryParser"), at: SourceLine(file: file, line: 1))
      ])
    }
  }

  /// The `[name]`, `[name:children]` or `[name:vars]` of a header line, or nil when
  /// the line is a host (a bracketed IPv6 address such as `[fd00::1]:2222`).
  static func sectionHeader(_ words: [String]) -> Substring? {
    guard let first = words.first, first.hasPrefix("[") else { return nil }
    if let close = first.firstIndex(of: "]") {
      let inside = first[first.index(after: first.startIndex)..<close]
      if HostSpec.isIPv6Literal(inside) { return nil }
    }
    guard words.count == 1, first.hasSuffix("]"), first.count >= 2 else { return "" }
    return first.dropFirst().dropLast()
  }

  /// Group names: no blanks, commas, colons or brackets.
  static func isValidGroupName(_ name: Substring) -> Bool {
    !name.isEmpty && !name.contains(where: { " \t,:[]=\"'#".contains($0) })
  }
}
