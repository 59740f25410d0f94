import FleetPortsCore

/// The probe script of one scan, made once, and each host's copy of it with the host's own
/// nonce written in: `ProbeCommand.script(nonce:method:sectionCap:)` byte for byte (the nonce
/// is the only part that differs per host, and it has one length), without making and
/// compacting 25 KB of script text per host. Each copy is exactly its size (≈ 17.7 KB): it is
/// held while the host's session runs, and 1,000 sessions at once held a copy each with room
/// for the uncompacted text (25.5 KB).
struct ProbeCopies: Sendable {
  let template: [UInt8]
  /// Where the template's nonce is written (the start of each occurrence).
  let nonceOffsets: [Int]
  let nonceLength: Int
  let method: ProbeMethod
  let sectionCap: Int

  init(method: ProbeMethod, sectionCap: Int) {
    self.method = method
    self.sectionCap = sectionCap
    // A random nonce cannot occur by chance in the script's text (2^-128 per position).
    let nonce = Array(ProbeScript.makeNonce().utf8)
    let template = ProbeCommand.script(nonce: String(decoding: nonce, as: UTF8.self), method: method, sectionCap: sectionCap)
    var offsets: [Int] = []
    var at = 0
    while at + nonce.count <= template.count {
      if template[at] == nonce[0], template[at..<(at + nonce.count)].elementsEqual(nonce) {
        offsets.append(at)
        at += nonce.count
      } else {
        at += 1
      }
    }
    self.template = template
    nonceOffsets = offsets
    nonceLength = nonce.count
  }

  /// The script for the host whose nonce is `nonce` (`ProbeScript.makeNonce`'s form; another
  /// length is made the long way).
  func script(nonce: String) -> [UInt8] {
    let digits = Array(nonce.utf8)
    guard digits.count == nonceLength, !nonceOffsets.isEmpty else {
      return exactCopy(ProbeCommand.script(nonce: nonce, method: method, sectionCap: sectionCap))
    }
    var copy = exactCopy(template)
    copy.withUnsafeMutableBufferPointer { bytes in
      for offset in nonceOffsets {
        for (i, digit) in digits.enumerated() { bytes[offset + i] = digit }
      }
    }
    return copy
  }

  /// `bytes` in a buffer of their own size (an array's copy-on-write copy keeps its capacity).
  func exactCopy(_ bytes: [UInt8]) -> [UInt8] {
    [UInt8](unsafeUninitializedCapacity: bytes.count) { buffer, count in
      _ = buffer.initialize(fromContentsOf: bytes)
      count = bytes.count
    }
  }
}
