import FleetPortsCore
import Testing

@testable import FleetPortsScan

/// The scan's probe made once and copied per host: each copy is the script
/// `ProbeCommand.script` makes for that host's nonce, byte for byte, and no copy carries
/// another host's nonce or the template's.
@Suite struct ProbeCopiesTests {
  @Test(arguments: ProbeMethod.allCases)
  func eachHostsCopyIsTheScriptMadeForItsNonce(method: ProbeMethod) {
    let copies = ProbeCopies(method: method, sectionCap: 4096)
    #expect(!copies.nonceOffsets.isEmpty)
    for _ in 0..<3 {
      let nonce = ProbeScript.makeNonce()
      let copy = copies.script(nonce: nonce)
      #expect(copy == ProbeCommand.script(nonce: nonce, method: method, sectionCap: 4096))
      #expect(copy.capacity < copy.count + 64, "held while the session runs: no room for the uncompacted text")
    }
  }

  @Test func copiesDifferOnlyByTheirNonces() {
    let copies = ProbeCopies(method: .ss, sectionCap: ProbeScript.defaultSectionCap)
    let (a, b) = (ProbeScript.makeNonce(), ProbeScript.makeNonce())
    let (first, second) = (copies.script(nonce: a), copies.script(nonce: b))
    #expect(first.count == second.count)
    let differing = Set(first.indices.filter { first[$0] != second[$0] })
    let nonceBytes = Set(copies.nonceOffsets.flatMap { $0..<($0 + 32) })
    #expect(differing.isSubset(of: nonceBytes))
    let template = String(decoding: copies.template[copies.nonceOffsets[0]..<(copies.nonceOffsets[0] + 32)], as: UTF8.self)
    #expect(!String(decoding: first, as: UTF8.self).contains(template))
    #expect(!String(decoding: first, as: UTF8.self).contains(b))
  }

  @Test func aNonceOfAnotherLengthIsMadeTheLongWay() {
    let copies = ProbeCopies(method: .proc, sectionCap: 4096)
    let nonce = String(repeating: "ab", count: 12)
    #expect(copies.script(nonce: nonce) == ProbeCommand.script(nonce: nonce, method: .proc, sectionCap: 4096))
  }
}
