import FleetPortsCore
import Testing
@testable import FleetPortsSSH

/// Every cell of the host-key table: checking mode × known_hosts' verdict, and a key
/// recorded earlier in the same run.
@Suite struct HostKeyDecisionTests {
  static let presented = HostKeyDecision.PresentedKey(keyType: "ssh-ed25519", keyBase64: "AAAAPRESENTED", fingerprint: "SHA256:presented")
  static let path = "/home/u/.ssh/known_hosts"

  static let changed = SSHError.Kind.hostKeyChanged(keyType: "ssh-ed25519", fingerprint: "SHA256:presented", knownLines: [3, 9], knownHostsPath: path)
  static let revoked = SSHError.Kind.hostKeyRevoked(fingerprint: "SHA256:presented", line: 4)
  static let unknown = SSHError.Kind.hostKeyUnknown(keyType: "ssh-ed25519", fingerprint: "SHA256:presented")

  static let verdicts: [HostKeyVerdict] = [
    .trusted(line: 1), .unknown, .changed(knownLines: [3, 9], knownTypes: ["ssh-ed25519", "ecdsa-sha2-nistp256"]), .revoked(line: 4),
    .certificateAuthorityUnsupported,
  ]

  /// The table with nothing recorded in this run: (mode, verdict, decision).
  static let table: [(HostKeyChecking, HostKeyVerdict, HostKeyDecision)] = [
    (.strict, .trusted(line: 1), .accept),
    (.strict, .unknown, .refuse(unknown)),
    (.strict, verdicts[2], .refuse(changed)),
    (.strict, .revoked(line: 4), .refuse(revoked)),
    (.strict, .certificateAuthorityUnsupported, .refuse(.hostCertificateUnsupported)),
    (.acceptNew, .trusted(line: 1), .accept),
    (.acceptNew, .unknown, .record),
    (.acceptNew, verdicts[2], .refuse(changed)),
    (.acceptNew, .revoked(line: 4), .refuse(revoked)),
    (.acceptNew, .certificateAuthorityUnsupported, .refuse(.hostCertificateUnsupported)),
    (.off, .trusted(line: 1), .accept),
    (.off, .unknown, .accept),
    (.off, verdicts[2], .accept),
    (.off, .revoked(line: 4), .accept),
    (.off, .certificateAuthorityUnsupported, .accept),
  ]

  @Test(arguments: table)
  func withNothingRecordedTheVerdictDecides(checking: HostKeyChecking, verdict: HostKeyVerdict, expected: HostKeyDecision) {
    let decision = HostKeyDecision.decide(checking: checking, recorded: nil, verdict: verdict, presented: Self.presented, knownHostsPath: Self.path)
    #expect(decision == expected)
  }

  @Test func theTableCoversEveryModeAndVerdict() {
    for mode in HostKeyChecking.allCases {
      for verdict in Self.verdicts {
        #expect(Self.table.contains { $0.0 == mode && $0.1 == verdict }, "\(mode) × \(verdict)")
      }
    }
  }

  /// A key accept-new recorded earlier in this run decides alone, whatever the file says:
  /// the same key is accepted, another is a change (no line: it is not in the file yet).
  @Test(arguments: [HostKeyChecking.strict, .acceptNew])
  func aKeyRecordedEarlierInTheRunDecidesAlone(checking: HostKeyChecking) {
    for verdict in Self.verdicts {
      #expect(
        HostKeyDecision.decide(checking: checking, recorded: "AAAAPRESENTED", verdict: verdict, presented: Self.presented, knownHostsPath: Self.path)
          == .accept)
      #expect(
        HostKeyDecision.decide(checking: checking, recorded: "AAAAOTHER", verdict: verdict, presented: Self.presented, knownHostsPath: Self.path)
          == .refuse(.hostKeyChanged(keyType: "ssh-ed25519", fingerprint: "SHA256:presented", knownLines: [], knownHostsPath: Self.path)))
    }
  }

  @Test func checkingOffAcceptsEvenAKeyThatDiffersFromTheOneRecorded() {
    #expect(HostKeyDecision.decide(checking: .off, recorded: "AAAAOTHER", verdict: .unknown, presented: Self.presented, knownHostsPath: Self.path) == .accept)
  }

  /// known_hosts is only consulted when its verdict matters (hashed names cost an HMAC a line).
  @Test func theVerdictIsOnlyWorkedOutWhenItMatters() {
    var asked = 0
    func verdict() -> HostKeyVerdict {
      asked += 1
      return .unknown
    }
    _ = HostKeyDecision.decide(checking: .off, recorded: nil, verdict: verdict(), presented: Self.presented, knownHostsPath: Self.path)
    _ = HostKeyDecision.decide(checking: .strict, recorded: "AAAAPRESENTED", verdict: verdict(), presented: Self.presented, knownHostsPath: Self.path)
    #expect(asked == 0)
    _ = HostKeyDecision.decide(checking: .strict, recorded: nil, verdict: verdict(), presented: Self.presented, knownHostsPath: Self.path)
    #expect(asked == 1)
  }
}
