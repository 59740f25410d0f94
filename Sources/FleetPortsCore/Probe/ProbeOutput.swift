/// One framed section of probe output: what one command printed (stdout and stderr) and how it ended.
public struct ProbeSection: Sendable, Hashable {
  /// The section's name, e.g. `meta`, `proc-net-tcp`, `ss-tuanp`.
  public var name: String
  /// The command's output, byte for byte: the newline the script adds before the end marker is removed.
  public var body: [UInt8]
  /// The command's exit status; nil when the section has no end marker or the script wrote `rc=?`.
  public var exitCode: Int32?
  /// The output was longer than the section cap; `body` holds its first `cap` bytes.
  public var truncated: Bool
  /// The section has its end marker (false: the output was cut off inside it).
  public var complete: Bool

  public init(name: String, body: [UInt8], exitCode: Int32?, truncated: Bool, complete: Bool) {
    self.name = name
    self.body = body
    self.exitCode = exitCode
    self.truncated = truncated
    self.complete = complete
  }

  /// The format that parses this section's body, when it is a socket table or counters.
  public var captureFormat: CaptureFormat? {
    switch ProbeSectionName(rawValue: name) {
    case .ss, .ssTuanp, .ssXlp: return .ss
    case .netstat: return .netstat
    case .lsof: return .lsofFields
    case let section: return ProbeScript.procNetSections.first { $0.name == section }?.format
    }
  }
}

/// A host's probe output split into its sections, with everything odd about the framing.
///
/// Only lines that are exactly a marker with this scan's nonce count; anything else a host
/// prints (including marker-like lines with another nonce, or marker text inside a line) is
/// section content or, outside any section, counted in `problems`. Work is linear in the input.
public struct ProbeOutput: Sendable, Hashable {
  /// The sections in the order the host printed them.
  public var sections: [ProbeSection]
  /// What was wrong with the framing, e.g. a section without end marker or lines outside any section.
  public var problems: [String]
  /// The script's final `done` marker was seen: the host ran the probe to its end.
  public var finished: Bool
  /// The probe's first line (the host key, `@@fp:<nonce>:key …@@`) was seen: the probe
  /// started, so whatever else went wrong, the login shell ran it.
  public var started: Bool

  public init(sections: [ProbeSection] = [], problems: [String] = [], finished: Bool = false, started: Bool = false) {
    self.sections = sections
    self.problems = problems
    self.finished = finished
    self.started = started || !sections.isEmpty || finished
  }

  /// The first section called `name` (any text: tests frame their own sections).
  public subscript(name: String) -> ProbeSection? {
    sections.first { $0.name == name }
  }

  /// The first section of the probe's called `section`.
  public subscript(section: ProbeSectionName) -> ProbeSection? {
    self[section.rawValue]
  }

  /// The `meta` section, parsed.
  public var meta: ProbeMeta? {
    self[ProbeSectionName.meta].map(ProbeMeta.parse)
  }

  /// At most this many problems are listed; the rest are counted in a last entry.
  public static let problemLimit = 100
  /// Marker lines are short; longer lines are never compared against the marker grammar.
  static let maxMarkerLength = 256
  static let maxNameLength = 64

  /// Splits `bytes` (a host's stdout) into sections framed with `nonce`.
  public static func parse(_ bytes: [UInt8], nonce: String) -> ProbeOutput {
    guard ProbeScript.isValidNonce(nonce) else {
      return ProbeOutput(problems: ["invalid nonce: the output cannot be framed"])
    }
    let key = hostKey(bytes, nonce: nonce)
    let prefix = Array("@@fp:\(nonce)\(key?.hex ?? ""):".utf8)
    return bytes.withUnsafeBufferPointer { buffer in
      var framer = Framer(prefix: prefix)
      framer.skip = key?.line
      // The blank line the probe's own leading newline makes before the key line (when the
      // login shell's output ended with a newline, or there was none) is framing too.
      if let line = key?.line, line.lowerBound >= 1, bytes[line.lowerBound - 1] == 10,
        line.lowerBound == 1 || bytes[line.lowerBound - 2] == 10
      {
        framer.skipBlank = line.lowerBound - 1
      }
      framer.run(buffer)
      var output = framer.finish(buffer)
      output.started = output.started || key != nil
      return output
    }
  }

  /// The host's part of the markers: the first line `@@fp:<nonce>:key <hex>@@` (hex empty or
  /// 16 to 32 lowercase digits), and where that line is. The probe prints it before any other
  /// marker, so the search ends at the first line carrying the nonce (only login noise comes
  /// before it): output without one (older probes) is framed with `nonce` alone.
  ///
  /// The key line must start a line. The probe prints a newline in the same `printf` just
  /// before it, so login noise without a final newline never glues onto it; text glued in
  /// front of a key marker therefore never comes from the probe, and accepting it would only
  /// give host text one more way to be taken for framing.
  static func hostKey(_ bytes: [UInt8], nonce: String) -> (hex: String, line: Range<Int>)? {
    let marker = Array("@@fp:\(nonce):".utf8)
    let head = marker + Array("key ".utf8)
    var start = 0
    while start < bytes.count {
      var stop = start
      while stop < bytes.count && bytes[stop] != 10 { stop += 1 }
      guard stop < bytes.count else { return nil }  // a marker counts only with its newline
      let line = bytes[start..<stop]
      if line.count <= maxMarkerLength, line.starts(with: head), line.suffix(2).elementsEqual([64, 64]) {
        let hex = line.dropFirst(head.count).dropLast(2)
        if hex.isEmpty || ((16...32).contains(hex.count) && hex.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) })) {
          return (String(decoding: hex, as: UTF8.self), start..<(stop + 1))
        }
      }
      if line.starts(with: marker) { return nil }
      start = stop + 1
    }
    return nil
  }

  /// What one line is, as far as the framing cares.
  enum Marker: Equatable {
    case begin(name: String)
    case end(name: String, exitCode: Int32?, cap: Int?)
    case done
    /// Starts with this scan's prefix but is not a valid marker.
    case malformed
    /// Looks like a marker (`@@fp:...@@`) with another nonce.
    case foreign
    case none
  }

  struct Framer {
    let prefix: [UInt8]
    var sections: [ProbeSection] = []
    var problems: [String] = []
    var droppedProblems = 0
    var finished = false
    var outsideLines = 0
    var foreignMarkers = 0
    var malformedMarkers = 0
    var linesAfterDone = 0
    /// The open section: its name and where its body starts.
    var open: (name: String, start: Int)?
    /// The host key line (`hostKey`), which is framing, not content.
    var skip: Range<Int>?
    /// Where the blank line the probe prints before its key line starts, if there is one.
    var skipBlank: Int?

    init(prefix: [UInt8]) { self.prefix = prefix }

    mutating func problem(_ text: String) {
      if problems.count < ProbeOutput.problemLimit { problems.append(text) } else { droppedProblems += 1 }
    }

    mutating func run(_ buffer: UnsafeBufferPointer<UInt8>) {
      var start = 0
      let end = buffer.count
      while start < end {
        var stop = start
        while stop < end && buffer[stop] != 10 { stop += 1 }
        if skip?.lowerBound != start && skipBlank != start { line(buffer, start, stop, terminated: stop < end) }
        start = stop + 1
      }
    }

    mutating func line(_ buffer: UnsafeBufferPointer<UInt8>, _ start: Int, _ stop: Int, terminated: Bool) {
      // A marker counts only when its newline arrived too; a cut-off last line never is one.
      let marker: Marker
      if terminated {
        marker = classify(UnsafeBufferPointer(rebasing: buffer[start..<stop]))
      } else {
        marker = isMarkerLike(buffer, start, stop) ? .malformed : .none
      }
      switch marker {
      case .begin(let name):
        if let current = open {
          closeIncomplete(current, buffer, upTo: start)
          problem("section '\(current.name)' has no end marker before section '\(name)' begins")
        }
        if finished { problem("section '\(name)' begins after the done marker") }
        open = (name, stop + 1)
      case .end(let name, let exitCode, let cap):
        guard let current = open else {
          problem("end marker for '\(name)' outside any section")
          return
        }
        if current.name != name {
          closeIncomplete(current, buffer, upTo: start)
          problem("section '\(current.name)' ended by the end marker of '\(name)'")
          return
        }
        closeComplete(current, buffer, markerStart: start, exitCode: exitCode, cap: cap)
      case .done:
        if let current = open {
          closeIncomplete(current, buffer, upTo: start)
          problem("section '\(current.name)' has no end marker before the done marker")
        }
        finished = true
      case .malformed, .foreign, .none:
        if marker == .malformed { malformedMarkers += 1 }
        if marker == .foreign { foreignMarkers += 1 }
        if open == nil {
          if finished { linesAfterDone += 1 } else { outsideLines += 1 }
        }
      }
    }

    func isMarkerLike(_ buffer: UnsafeBufferPointer<UInt8>, _ start: Int, _ stop: Int) -> Bool {
      stop - start >= prefix.count && stop - start <= ProbeOutput.maxMarkerLength
        && prefix.indices.allSatisfy { buffer[start + $0] == prefix[$0] }
    }

    mutating func closeComplete(
      _ current: (name: String, start: Int), _ buffer: UnsafeBufferPointer<UInt8>, markerStart: Int, exitCode: Int32?, cap: Int?
    ) {
      open = nil
      // The script wrote exactly one "\n" before the marker; it ends the region between the markers.
      var stop = markerStart
      if stop > current.start && buffer[stop - 1] == 10 {
        stop -= 1
      } else {
        problem("section '\(current.name)' lacks the newline the script writes before its end marker")
      }
      stop = max(stop, current.start)
      var truncated = false
      if let cap, stop - current.start > cap {
        truncated = true
        stop = current.start + cap
      }
      sections.append(ProbeSection(
        name: current.name, body: Array(buffer[current.start..<stop]), exitCode: exitCode, truncated: truncated, complete: true))
    }

    mutating func closeIncomplete(_ current: (name: String, start: Int), _ buffer: UnsafeBufferPointer<UInt8>, upTo stop: Int) {
      open = nil
      let end = max(min(stop, buffer.count), current.start)
      sections.append(ProbeSection(
        name: current.name, body: Array(buffer[current.start..<end]), exitCode: nil, truncated: false, complete: false))
    }

    mutating func finish(_ buffer: UnsafeBufferPointer<UInt8>) -> ProbeOutput {
      if let current = open {
        closeIncomplete(current, buffer, upTo: buffer.count)
        problem("section '\(current.name)' has a begin marker but no end marker (output cut?)")
      }
      if outsideLines > 0 { problem("\(outsideLines) line\(outsideLines == 1 ? "" : "s") outside any section") }
      if linesAfterDone > 0 { problem("\(linesAfterDone) line\(linesAfterDone == 1 ? "" : "s") after the done marker") }
      if foreignMarkers > 0 {
        problem("\(foreignMarkers) line\(foreignMarkers == 1 ? " looks" : "s look") like a probe marker with another nonce (ignored)")
      }
      if malformedMarkers > 0 {
        problem("\(malformedMarkers) line\(malformedMarkers == 1 ? "" : "s") start with this scan's marker prefix but are not markers (ignored)")
      }
      if sections.isEmpty && !finished { problem("no probe sections in the output") }
      if !finished && !sections.isEmpty { problem("no done marker: the probe did not run to its end (output cut?)") }
      var seen = Set<String>()
      for section in sections where !seen.insert(section.name).inserted {
        problem("section '\(section.name)' appears more than once")
      }
      if droppedProblems > 0 { problems.append("… and \(droppedProblems) more problems") }
      return ProbeOutput(sections: sections, problems: problems, finished: finished)
    }

    /// Reads a whole line against the marker grammar.
    func classify(_ line: UnsafeBufferPointer<UInt8>) -> Marker {
      let n = line.count
      guard n >= 7, n <= ProbeOutput.maxMarkerLength, line[0] == 64, line[1] == 64, line[2] == 102, line[3] == 112,
        line[4] == 58, line[n - 1] == 64, line[n - 2] == 64
      else { return .none }
      guard n >= prefix.count + 2, prefix.indices.allSatisfy({ line[$0] == prefix[$0] }) else { return .foreign }
      let rest = Array(line[prefix.count..<(n - 2)])
      if rest == Array("done".utf8) { return .done }
      if rest.starts(with: Array("begin ".utf8)) {
        guard let name = Self.name(rest[6...]) else { return .malformed }
        return .begin(name: name)
      }
      if rest.starts(with: Array("end ".utf8)) {
        let fields = rest[4...].split(separator: 32, omittingEmptySubsequences: false)
        guard fields.count == 2 || fields.count == 3, let name = Self.name(fields[0]) else { return .malformed }
        let rc = fields[1]
        guard rc.starts(with: Array("rc=".utf8)) else { return .malformed }
        let rcValue = rc.dropFirst(3)
        var exitCode: Int32?
        if Array(rcValue) != [63] {  // "?"
          guard let value = Self.decimal(rcValue), value <= Int(Int32.max) else { return .malformed }
          exitCode = Int32(value)
        }
        var cap: Int?
        if fields.count == 3 {
          guard fields[2].starts(with: Array("cap=".utf8)), let value = Self.decimal(fields[2].dropFirst(4)) else {
            return .malformed
          }
          cap = value
        }
        return .end(name: name, exitCode: exitCode, cap: cap)
      }
      return .malformed
    }

    static func name(_ bytes: ArraySlice<UInt8>) -> String? {
      guard !bytes.isEmpty, bytes.count <= ProbeOutput.maxNameLength else { return nil }
      for byte in bytes {
        let ok = (byte >= 97 && byte <= 122) || (byte >= 48 && byte <= 57) || byte == 45 || byte == 95 || byte == 46
        if !ok { return nil }
      }
      return String(decoding: bytes, as: UTF8.self)
    }

    static func decimal(_ bytes: ArraySlice<UInt8>) -> Int? {
      guard !bytes.isEmpty, bytes.count <= 15 else { return nil }
      var value = 0
      for byte in bytes {
        guard byte >= 48 && byte <= 57 else { return nil }
        value = value * 10 + Int(byte - 48)
      }
      return value
    }
  }
}
