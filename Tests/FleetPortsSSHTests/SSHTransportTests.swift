import FleetPortsSSH
import Foundation
import LabSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The libssh2 transport against real OpenSSH sshd on the lab hosts.
@Suite(.labFleet) struct SSHTransportTests {
  @Test func commandWithStdinEchoesBack() async throws {
    let lab = try LabFleet.forTests()
    let client = try LabSSH.client(lab)
    let result = try await client.run("cat; echo done >&2", stdin: Array("hello from stdin\n".utf8), on: LabSSH.target(lab.hosts[0]))
    #expect(String(decoding: result.stdout, as: UTF8.self) == "hello from stdin\n")
    #expect(String(decoding: result.stderr, as: UTF8.self).contains("done"))
    #expect(result.exitStatus == 0)
    #expect(result.hostKeyFingerprint.hasPrefix("SHA256:"))
  }

  @Test func hostnameIsTheLabHostsOwn() async throws {
    let lab = try LabFleet.forTests()
    let client = try LabSSH.client(lab)
    for host in lab.hosts.prefix(3) {
      let result = try await client.run("hostname", on: LabSSH.target(host))
      #expect(String(decoding: result.stdout, as: UTF8.self) == host.name + "\n")
    }
  }

  @Test func fiftyMegabytesArriveIntact() async throws {
    let lab = try LabFleet.forTests()
    let client = try LabSSH.client(lab)
    let count = 6_500_000
    let result = try await client.run("seq 1 \(count)", on: LabSSH.target(lab.hosts[1]))
    var expected: [UInt8] = []
    expected.reserveCapacity(52_000_000)
    for i in 1...count {
      expected.append(contentsOf: String(i).utf8)
      expected.append(10)
    }
    #expect(expected.count > 50_000_000)
    #expect(result.stdout.count == expected.count)
    #expect(result.stdout == expected)
    #expect(!result.stdoutTruncated)
    #expect(result.exitStatus == 0)
  }

  @Test func outputBeyondTheCapIsMarkedTruncated() async throws {
    let lab = try LabFleet.forTests()
    var client = try LabSSH.client(lab)
    client.outputCap = 1000
    let result = try await client.run("seq 1 100000; seq 1 1000 >&2", on: LabSSH.target(lab.hosts[0]))
    #expect(result.stdout.count == 1000)
    #expect(result.stdoutTruncated)
    #expect(result.stderrTruncated)
    #expect(result.exitStatus == 0, "the command still ran to its end")
  }

  @Test func exitCodesAndSignals() async throws {
    let lab = try LabFleet.forTests()
    let client = try LabSSH.client(lab)
    let target = LabSSH.target(lab.hosts[0])
    #expect(try await client.run("exit 7", on: target).exitStatus == 7)
    let killed = try await client.run("kill -TERM $$", on: target)
    #expect(killed.exitSignal == "TERM")
    #expect(killed.exitStatus == nil)
  }

  @Test func refusedPortIsConnectionRefused() async throws {
    let lab = try LabFleet.forTests()
    let client = try LabSSH.client(lab)
    var target = LabSSH.target(lab.hosts[0])
    target.port = 1
    let error = await #expect(throws: SSHError.self) { try await client.run("true", on: target) }
    #expect(error?.kind == .connectionRefused)
    #expect(error?.description.contains("refused") == true)
  }

  @Test func silentListenerHitsTheHandshakeDeadline() async throws {
    let lab = try LabFleet.forTests()
    let listener = SilentListener()
    defer { listener.close() }
    let port = listener.port
    let client = try LabSSH.client(lab, deadlines: SSHDeadlines(connect: .seconds(2), handshakeAndAuth: .seconds(1)))
    // A name, not a literal: resolution runs off the pool and leads to the same listener.
    let byName = await #expect(throws: SSHError.self) { try await client.run("true", on: SSHTarget(host: "localhost", port: port, user: "root")) }
    #expect(byName?.kind == .timedOut(.handshake, seconds: 1))
    let clock = ContinuousClock()
    let start = clock.now
    let error = await #expect(throws: SSHError.self) { try await client.run("true", on: SSHTarget(host: "127.0.0.1", port: port, user: "root")) }
    let elapsed = clock.now - start
    #expect(error?.kind == .timedOut(.handshake, seconds: 1))
    // The bound is generous because other tests load both cores at the same time; what
    // matters is that the wait ends (a hang would run into the test's own limits).
    #expect(elapsed < .seconds(6), "the 1 s deadline fired after \(elapsed)")
    #expect(elapsed >= .seconds(1))
  }

  @Test func keyNotInAuthorizedKeysFailsAuthentication() async throws {
    let lab = try LabFleet.forTests()
    let dir = try LabSSH.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try LabSSH.local(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir + "/stranger"])
    let client = try LabSSH.client(lab, identityPath: dir + "/stranger")
    let error = await #expect(throws: SSHError.self) { try await client.run("true", on: LabSSH.target(lab.hosts[0])) }
    guard case .authenticationFailed(let tried, let accepts)? = error?.kind else {
      Issue.record("expected authenticationFailed, got \(String(describing: error))")
      return
    }
    #expect(tried.contains { $0.contains("stranger") })
    #expect(accepts.contains("publickey"))
  }

  /// ECDSA keys and passphrase-protected Ed25519 keys go through libssh2's own key loading;
  /// unencrypted Ed25519 keys (the lab's) are signed in-process. Both paths must log in.
  @Test func ecdsaAndPassphraseProtectedKeysAuthenticate() async throws {
    let lab = try LabFleet.forTests()
    let dir = try LabSSH.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try LabSSH.local(["ssh-keygen", "-q", "-t", "ecdsa", "-N", "", "-f", dir + "/id_ecdsa"])
    try LabSSH.local(["ssh-keygen", "-q", "-t", "ed25519", "-N", "secret words", "-f", dir + "/id_locked"])
    let authorized = lab.runPath + "/authorized_keys"
    let original = try Data(contentsOf: URL(fileURLWithPath: authorized))
    defer { try? original.write(to: URL(fileURLWithPath: authorized)) }
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: authorized))
    handle.seekToEndOfFile()
    for name in ["id_ecdsa", "id_locked"] {
      handle.write(try Data(contentsOf: URL(fileURLWithPath: dir + "/\(name).pub")))
    }
    try handle.close()
    let ecdsa = try await LabSSH.client(lab, identityPath: dir + "/id_ecdsa").run("true", on: LabSSH.target(lab.hosts[0]))
    #expect(ecdsa.exitStatus == 0)
    let lockedKey = Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/id_locked")))
    var locked = try LabSSH.client(lab)
    locked.credentials = SSHCredentials(identities: [SSHIdentity(path: dir + "/id_locked", privateKey: lockedKey, passphrase: "secret words")])
    #expect(try await locked.run("true", on: LabSSH.target(lab.hosts[0])).exitStatus == 0)
    locked.credentials = SSHCredentials(identities: [SSHIdentity(path: dir + "/id_locked", privateKey: lockedKey, passphrase: "wrong")])
    let error = await #expect(throws: SSHError.self) { try await locked.run("true", on: LabSSH.target(lab.hosts[0])) }
    guard case .identityUnreadable? = error?.kind else {
      Issue.record("a wrong passphrase should say the key could not be loaded, got \(String(describing: error))")
      return
    }
  }

  /// An RSA key the host does not let in is offered as rsa-sha2-512 and, last, rsa-sha2-256,
  /// and the refusal names both (before, RSA keys were skipped as libssh2 1.10 signs them with SHA-1).
  @Test func anRSAKeyIsOfferedWithBothSHA2Signatures() async throws {
    let lab = try LabFleet.forTests()
    let dir = try LabSSH.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try LabSSH.local(["ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", dir + "/id_rsa"])
    let client = try LabSSH.client(lab, identityPath: dir + "/id_rsa")
    let error = await #expect(throws: SSHError.self) { try await client.run("true", on: LabSSH.target(lab.hosts[0])) }
    guard case .authenticationFailed(let tried, _)? = error?.kind else {
      Issue.record("expected authenticationFailed, got \(String(describing: error))")
      return
    }
    #expect(tried == ["publickey \(dir)/id_rsa (rsa-sha2-512)", "publickey \(dir)/id_rsa (rsa-sha2-256)"])
  }

  @Test func unknownHostKeyIsRefusedInStrictMode() async throws {
    let lab = try LabFleet.forTests()
    let dir = try LabSSH.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let client = try LabSSH.client(lab, knownHostsPath: dir + "/known_hosts")
    let error = await #expect(throws: SSHError.self) { try await client.run("true", on: LabSSH.target(lab.hosts[0])) }
    guard case .hostKeyUnknown(let type, let fingerprint)? = error?.kind else {
      Issue.record("expected hostKeyUnknown, got \(String(describing: error))")
      return
    }
    #expect(type == "ssh-ed25519")
    #expect(fingerprint.hasPrefix("SHA256:") && fingerprint.count == 50)
    #expect(!FileManager.default.fileExists(atPath: dir + "/known_hosts"), "strict mode writes nothing")
  }

  @Test func acceptNewRecordsTheKeyAndStrictTrustsItAfterwards() async throws {
    let lab = try LabFleet.forTests()
    let dir = try LabSSH.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/known_hosts"
    let host = lab.hosts[0]
    let first = try await LabSSH.client(lab, knownHostsPath: path, checking: .acceptNew).run("true", on: LabSSH.target(host))
    let recorded = try String(contentsOfFile: path, encoding: .utf8)
    #expect(recorded.hasPrefix(host.ipv4 + " ssh-ed25519 "))
    let second = try await LabSSH.client(lab, knownHostsPath: path).run("true", on: LabSSH.target(host))
    #expect(second.hostKeyFingerprint == first.hostKeyFingerprint)
  }

  @Test func changedHostKeyIsRefusedUnlessCheckingIsOff() async throws {
    let lab = try LabFleet.forTests()
    let dir = try LabSSH.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/known_hosts"
    // Host 2's keys written down under host 1's address: what a re-installed host looks like.
    let (one, two) = (lab.hosts[0], lab.hosts[1])
    let forged = try LabSSH.knownHostLines(lab, for: two).map { line -> String in
      let fields = line.split(separator: " ")
      return ([Substring(one.ipv4)] + fields.dropFirst()).joined(separator: " ")
    }
    try (forged.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    for mode in [HostKeyChecking.strict, .acceptNew] {
      let error = await #expect(throws: SSHError.self) {
        try await LabSSH.client(lab, knownHostsPath: path, checking: mode).run("true", on: LabSSH.target(one))
      }
      guard case .hostKeyChanged(_, let fingerprint, let lines, _)? = error?.kind else {
        Issue.record("\(mode): expected hostKeyChanged, got \(String(describing: error))")
        continue
      }
      #expect(fingerprint.hasPrefix("SHA256:"))
      #expect(!lines.isEmpty)
    }
    let unchecked = try await LabSSH.client(lab, knownHostsPath: path, checking: .off).run("hostname", on: LabSSH.target(one))
    #expect(String(decoding: unchecked.stdout, as: UTF8.self) == one.name + "\n")
  }

  @Test func hashedKnownHostsMatch() async throws {
    let lab = try LabFleet.forTests()
    let dir = try LabSSH.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/known_hosts"
    try FileManager.default.copyItem(atPath: lab.knownHostsPath, toPath: path)
    #expect(try LabSSH.local(["ssh-keygen", "-q", "-H", "-f", path]) == 0)
    let hashed = try String(contentsOfFile: path, encoding: .utf8)
    #expect(hashed.hasPrefix("|1|"))
    #expect(!hashed.contains(lab.hosts[0].ipv4))
    let result = try await LabSSH.client(lab, knownHostsPath: path).run("hostname", on: LabSSH.target(lab.hosts[0]))
    #expect(result.exitStatus == 0)
  }

  @Test func ed25519OnlyEntryWorksOnAHostThatAlsoHasECDSA() async throws {
    let lab = try LabFleet.forTests()
    let host = try #require(lab.hosts.first { $0.hostKeys.count > 1 })
    let dir = try LabSSH.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/known_hosts"
    let lines = try LabSSH.knownHostLines(lab, for: host).filter { $0.contains(" ssh-ed25519 ") }
    #expect(lines.count == 1)
    try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    let result = try await LabSSH.client(lab, knownHostsPath: path).run("true", on: LabSSH.target(host))
    #expect(result.exitStatus == 0)
  }

  @Test func ipv6TargetAndUnprivilegedUser() async throws {
    let lab = try LabFleet.forTests()
    let client = try LabSSH.client(lab)
    let host = lab.hosts[0]
    let overIPv6 = try await client.run("hostname", on: LabSSH.target(host, ipv6: true))
    #expect(String(decoding: overIPv6.stdout, as: UTF8.self) == host.name + "\n")
    let asUser = try await client.run("id -un", on: LabSSH.target(host, user: lab.unprivilegedUser))
    #expect(String(decoding: asUser.stdout, as: UTF8.self) == lab.unprivilegedUser + "\n")
  }

  @Test func twoHundredSessionsAtOnceAllSucceed() async throws {
    let lab = try LabFleet.forTests()
    let client = try LabSSH.client(lab, deadlines: SSHDeadlines(connect: .seconds(20), handshakeAndAuth: .seconds(60), command: .seconds(60)))
    let hosts = lab.hosts
    let results = try await withThrowingTaskGroup(of: (String, String).self) { group in
      for i in 0..<200 {
        let host = hosts[i % hosts.count]
        group.addTask {
          let result = try await client.run("hostname", on: LabSSH.target(host))
          return (host.name, String(decoding: result.stdout, as: UTF8.self))
        }
      }
      var collected: [(String, String)] = []
      for try await result in group { collected.append(result) }
      return collected
    }
    #expect(results.count == 200)
    #expect(results.allSatisfy { $0.1 == $0.0 + "\n" })
  }

  @Test func cancellationEndsAHangingCommandPromptly() async throws {
    let lab = try LabFleet.forTests()
    let client = try LabSSH.client(lab)
    let clock = ContinuousClock()
    let start = clock.now
    let task = Task { try await client.run("sleep 30", on: LabSSH.target(lab.hosts[0])) }
    try await Task.sleep(for: .seconds(1))
    task.cancel()
    let outcome = await task.result
    #expect(clock.now - start < .seconds(5))
    guard case .failure(let error as SSHError) = outcome else {
      Issue.record("expected a cancellation error, got \(outcome)")
      return
    }
    #expect(error.kind == .cancelled)
  }
}
