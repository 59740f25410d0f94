import FleetPortsCore
import Foundation
import Testing

@testable import FleetPortsScan

/// The local probe's runner: `/bin/sh -s` with both streams drained, capped and timed.
@Suite struct LocalCollectorTests {
  @Test func aShellThatHangsIsKilledWithWhatItStartedAndSaysSo() async throws {
    // `sleep` is a child of the shell: killing only the shell would leave it holding the pipes.
    // An odd duration marks it, so the test can look for it afterwards.
    let script = Array("sleep 3131\necho never\n".utf8)
    await #expect(throws: LocalCollectorError.timedOut(seconds: 0.3)) {
      try await LocalCollector.runShell(script: script, timeout: .milliseconds(300))
    }
    // No wall-time bound here: on 2 cores, synchronous tests running beside this one can hold
    // both cooperative threads for many seconds. That the sleep is gone is what matters; SIGKILL
    // was sent to its group, but on a loaded machine it may take a moment to die.
    func survivors() throws -> [String] {
      try FileManager.default.contentsOfDirectory(atPath: "/proc").filter { pid in
        pid.allSatisfy(\.isNumber)
          && (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8))?.hasPrefix("sleep\u{0}3131") == true
      }
    }
    var left = try survivors()
    for _ in 0..<100 where !left.isEmpty {
      try await Task.sleep(for: .milliseconds(100))
      left = try survivors()
    }
    #expect(left.isEmpty, "the shell's child outlived the timeout by 10 s: pids \(left)")
    let error = LocalCollectorError.timedOut(seconds: 0.3)
    #expect(error.code == .timeout(phase: "command"))
    #expect(error.description.contains("longer than 0.3 s"))
  }

  @Test func muchStandardErrorDoesNotStallTheShell() async throws {
    // 256 KiB on stderr before anything on stdout: a reader that drains stdout first would
    // leave the shell blocked on a full stderr pipe (64 KiB) for ever.
    let script = Array("head -c 262144 /dev/zero >&2\necho done\n".utf8)
    let ran = try await LocalCollector.runShell(script: script, timeout: .seconds(20))
    #expect(ran.exitStatus == 0)
    #expect(ran.stderr.count == 262_144)
    #expect(String(decoding: ran.stdout, as: UTF8.self) == "done\n")
  }

  @Test func outputPastTheCapIsAnErrorNotASilentCut() async throws {
    let script = Array("head -c 100000 /dev/zero\n".utf8)
    await #expect(throws: LocalCollectorError.outputTooLarge(limit: 4096, errorLimit: LocalCollector.errorCap)) {
      try await LocalCollector.runShell(script: script, timeout: .seconds(20), outputCap: 4096)
    }
  }

  @Test func exitStatusAndSignalAreKept() async throws {
    let failed = try await LocalCollector.runShell(script: Array("exit 3\n".utf8))
    #expect(failed.exitStatus == 3 && failed.signal == nil)
    let killed = try await LocalCollector.runShell(script: Array("kill -9 $$\n".utf8))
    #expect(killed.exitStatus == nil && killed.signal == "KILL")
  }

  @Test func theLocalProbeReadsThisMachine() async {
    let host = await LocalCollector.collect(method: .proc)
    #expect(host.status == .ok, "\(host.failure.map(\.message) ?? "")")
    #expect(host.snapshot?.sockets.isEmpty == false)
  }

  @Test func aTimeoutIsAFailedRowNotACrash() async {
    let host = await LocalCollector.collect(method: .proc, timeout: .nanoseconds(1))
    #expect(host.status == .failed)
    #expect(host.failure?.code == .timeout(phase: "command"))
  }
}
