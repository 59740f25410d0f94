import FleetPortsCore
import FleetPortsSSH
import Foundation
import Subprocess
import SystemPackage

/// `fleetports local`: the same probe and pipeline on this machine, through `/bin/sh -c`, no SSH.
public enum LocalCollector {
  /// How long the probe may run before it is killed: the scan's default `--timeout` (its
  /// probe phase is bounded by the same figure).
  public static let defaultTimeout: Duration = .seconds(30)

  /// Standard error kept: the probe's diagnostics are short, and only the first 300 bytes reach
  /// a failure message. More than this is a shell gone wrong, reported as `outputTooLarge`.
  public static let errorCap = 1 << 20

  /// Runs the probe here and reads its sockets into a host row.
  ///
  /// Never throws for the probe's own failures: like a remote host's, they become the row's
  /// `failure` (status `.failed`), so the report is still written and the command exits 4.
  /// A timeout is `timeout-command`, as over SSH; the other codes are `LocalCollectorError.code`.
  ///
  /// - Parameters:
  ///   - method: where owners come from (`ss`, `netstat`, `lsof`, `/proc`, or what is there).
  ///   - sectionCap: bytes the probe keeps of each section.
  ///   - timeout: the probe is killed (with everything it started) once this has passed.
  ///   - outputCap: bytes of standard output accepted, as `SSHClient`'s cap for a remote host.
  /// - Returns: the host row: `.ok` with its snapshot, or `.failed` with the reason.
  public static func collect(
    method: ProbeMethod, sectionCap: Int = ProbeScript.defaultSectionCap, timeout: Duration = defaultTimeout,
    outputCap: Int = SSHClient.defaultOutputCap
  ) async -> HostResult {
    let nonce = ProbeScript.makeNonce()
    let script = ProbeScript.make(nonce: nonce, method: method, sectionCap: sectionCap)
    let clock = ContinuousClock()
    let start = clock.now
    var result = HostResult(
      name: ProcessInfo.processInfo.hostName, address: "localhost", port: 0, user: NSUserName(), groups: [], status: .failed)
    let ran: LocalProbeRun
    do {
      ran = try await runShell(script: Array(script.utf8), timeout: timeout, outputCap: outputCap)
      result.durationSeconds = (clock.now - start).seconds
    } catch {
      result.durationSeconds = (clock.now - start).seconds
      result.failure = HostResult.Failure(code: error.code, message: error.description)
      return result
    }
    switch ProbeCommand.interpret(
      stdout: ran.stdout, stderr: ran.stderr, exitStatus: ran.exitStatus, nonce: nonce, sudo: false, user: NSUserName(),
      signal: ran.signal)
    {
    case .success(let snapshot):
      result.status = .ok
      result.snapshot = snapshot
      if let name = snapshot.meta.hostname { result.name = name }
    case .failure(let failure):
      result.failure = failure
    }
    return result
  }

  /// Runs `script` through `/bin/sh -c` and collects both streams.
  ///
  /// The script is `sh -c`'s argument, not its stdin: swift-subprocess 1.0.2 traps ("FileDescriptor
  /// … was not closed", swift-subprocess#367) when the child goes away before its stdin was
  /// written, and a timeout's kill does exactly that. swift-subprocess drains stdout and stderr
  /// concurrently, so no pipe can fill up and stall the shell. The shell gets a process group of its own so a timeout kills
  /// the tools it started too (a `lsof` left behind would hold the pipe open); the group is
  /// sent SIGTERM, then SIGKILL half a second later.
  ///
  /// - Returns: the bytes of standard output (at most `outputCap`) and standard error (at most
  ///   `errorCap`), and how the shell ended.
  /// - Throws: `LocalCollectorError` when `/bin/sh` cannot be started, when the time runs out,
  ///   or when a stream passes its cap (swift-subprocess keeps nothing then).
  public static func runShell(
    script: [UInt8], timeout: Duration = defaultTimeout, outputCap: Int = SSHClient.defaultOutputCap
  ) async throws(LocalCollectorError) -> LocalProbeRun {
    var platformOptions = PlatformOptions()
    platformOptions.processGroupID = 0
    platformOptions.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: .milliseconds(500))]
    let options = platformOptions
    do {
      return try await withThrowingTaskGroup(of: LocalProbeRun?.self) { group in
        group.addTask {
          let result = try await Subprocess.run(
            .path("/bin/sh"), arguments: ["-c", String(decoding: script, as: UTF8.self)], platformOptions: options, input: .none,
            output: .bytes(limit: outputCap), error: .bytes(limit: errorCap))
          return LocalProbeRun(result.terminationStatus, stdout: result.standardOutput, stderr: result.standardError)
        }
        // The timer: returning nil first means the time ran out; cancelling the run starts
        // swift-subprocess' teardown, and the group waits for it before returning.
        group.addTask {
          try await Task.sleep(for: timeout)
          return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let finished = first else {
          throw LocalCollectorError.timedOut(seconds: timeout.seconds)
        }
        return finished
      }
    } catch let error as LocalCollectorError {
      throw error
    } catch let error as SubprocessError {
      if error.code == .outputLimitExceeded { throw .outputTooLarge(limit: outputCap, errorLimit: errorCap) }
      throw .shellFailed("\(error)")
    } catch {
      throw .shellFailed("\(error)")
    }
  }
}

/// What `/bin/sh -c` printed and how it ended.
public struct LocalProbeRun: Sendable, Hashable {
  public var stdout: [UInt8]
  public var stderr: [UInt8]
  /// The exit status, or nil when a signal ended the shell.
  public var exitStatus: Int32?
  /// The signal's name without `SIG` ("KILL"), or its number, when a signal ended the shell.
  public var signal: String?

  public init(stdout: [UInt8], stderr: [UInt8], exitStatus: Int32?, signal: String?) {
    self.stdout = stdout
    self.stderr = stderr
    self.exitStatus = exitStatus
    self.signal = signal
  }

  init(_ status: TerminationStatus, stdout: [UInt8], stderr: [UInt8]) {
    switch status {
    case .exited(let code):
      self.init(stdout: stdout, stderr: stderr, exitStatus: code, signal: nil)
    case .signaled(let number):
      // The names the SSH path reports (RFC 4254 signal names) for the signals a shell meets.
      let names: [Int32: String] = [1: "HUP", 2: "INT", 6: "ABRT", 9: "KILL", 11: "SEGV", 13: "PIPE", 15: "TERM"]
      self.init(stdout: stdout, stderr: stderr, exitStatus: nil, signal: names[number] ?? String(number))
    }
  }
}

/// Why the local probe could not run to its end; every message says what to try.
public enum LocalCollectorError: Error, CustomStringConvertible, Sendable, Hashable {
  /// The probe was still running after this many seconds and was killed.
  case timedOut(seconds: Double)
  /// Standard output passed `limit` bytes or standard error passed `errorLimit` bytes.
  case outputTooLarge(limit: Int, errorLimit: Int)
  /// `/bin/sh` could not be started or its pipes failed; the reason is swift-subprocess' text.
  case shellFailed(String)

  /// A short machine-friendly name for reports and JSON (a timeout reads as over SSH).
  public var code: FailureCode {
    switch self {
    case .timedOut: return .timeout(phase: "command")
    case .outputTooLarge: return .outputTooLarge
    case .shellFailed: return .shellFailed
    }
  }

  public var description: String {
    switch self {
    case .timedOut(let seconds):
      return "the local probe ran longer than \(String(format: "%g", seconds)) s and was killed; "
        + "try a lighter --method (proc), or look for a hung ss/lsof (a stuck NFS mount makes lsof wait)"
    case .outputTooLarge(let limit, let errorLimit):
      return "the local probe printed more than \(limit >> 20) MiB (or \(errorLimit >> 20) MiB of errors) and was stopped; "
        + "try --method proc, which prints the least"
    case .shellFailed(let why):
      return "could not run the probe through /bin/sh (\(why)); check that /bin/sh exists and this process may start programs"
    }
  }
}
