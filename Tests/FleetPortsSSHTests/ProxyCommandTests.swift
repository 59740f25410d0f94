import FleetPortsCore
import FleetPortsSSH
import Foundation
import Testing

/// A ProxyCommand that fails: its exit status and stderr make the row's reason, and the child
/// is gone afterwards. No network: the command never connects anywhere.
@Suite struct ProxyCommandTests {
  func client() throws -> SSHClient {
    let path = NSTemporaryDirectory() + "fp-proxy-kh-\(UUID().uuidString)"
    try "".write(toFile: path, atomically: true, encoding: .utf8)
    return SSHClient(
      knownHosts: try KnownHostsStore(path: path), credentials: SSHCredentials(),
      deadlines: SSHDeadlines(connect: .seconds(2), handshakeAndAuth: .seconds(3), command: .seconds(3)), retry: .never)
  }

  @Test func aCommandThatExitsExplainsTheRow() async throws {
    let template = "echo no route to %h >&2; exit 7"
    let line = try ProxyCommandLine.expand(template, host: "inner-1", port: 22, user: "ops", alias: "inner-1")
    // OpenSSH's `exec` prefix applies to the first command only, as in ssh.
    let target = SSHTarget(
      host: "inner-1", user: "ops",
      route: .command(line: "exec sh -c " + ProxyCommandLine.shellQuoted(String(line.dropFirst(5))), template: template))
    let client = try client()
    do throws(SSHError) {
      _ = try await client.run("true", on: target)
      Issue.record("a session over a command that exits cannot succeed")
    } catch {
      guard case .proxyCommandFailed(let command, let exit, let stderr, _) = error.kind else {
        Issue.record("expected proxyCommandFailed, got \(error)")
        return
      }
      #expect(command == template)
      #expect(exit == "exit status 7")
      #expect(stderr == "no route to inner-1")
      #expect(error.code == .proxyCommandFailed)
    }
  }

  @Test func controlCharactersOnStderrAreShownEscaped() async throws {
    let target = SSHTarget(host: "h", user: "u", route: .command(line: "exec printf 'bad\\033[31m\\n' >&2", template: "printf"))
    let client = try client()
    do throws(SSHError) {
      _ = try await client.run("true", on: target)
      Issue.record("cannot succeed")
    } catch {
      guard case .proxyCommandFailed(_, _, let stderr, _) = error.kind else {
        Issue.record("expected proxyCommandFailed, got \(error)")
        return
      }
      #expect(stderr == "bad\\u{1b}[31m")
    }
  }

  @Test func aHungCommandIsKilledAtTheDeadline() async throws {
    let clock = ContinuousClock()
    let start = clock.now
    let target = SSHTarget(host: "h", user: "u", route: .command(line: "exec sleep 31", template: "sleep 31"))
    let client = try client()
    do throws(SSHError) {
      _ = try await client.run("true", on: target)
      Issue.record("cannot succeed")
    } catch {
      #expect(error.code == .timeout(phase: "handshake"), "\(error)")
    }
    // Killed, not waited out: the sleep would last 31 s (the bound leaves room for a loaded machine).
    #expect(clock.now - start < .seconds(25))
    // The sleep was killed and reaped: no process of ours runs it, not even as a zombie.
    #expect(Self.children(named: "sleep").isEmpty)
  }

  /// Children of this process whose command is `name` (from /proc/<pid>/stat).
  static func children(named name: String) -> [Int32] {
    let me = getpid()
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { entry -> Int32? in
      guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
        let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")")
      else { return nil }
      let comm = stat[stat.index(after: open)..<close]
      let fields = stat[stat.index(after: close)...].split(separator: " ")
      guard fields.count > 2, comm == name, Int32(fields[1]) == me else { return nil }
      return pid
    }
  }
}
