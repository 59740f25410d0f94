import FleetPortsCore
import FleetPortsReport
import Foundation

#if canImport(Glibc)
  import Glibc
#endif
import Testing

/// Fixtures, external tools (python3, chromium) and a scratch folder for the report tests.
enum TestSupport {
  static let testsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  static let fixtures = testsFolder.appendingPathComponent("Fixtures")
  static let repoRoot = testsFolder.deletingLastPathComponent().deletingLastPathComponent()

  /// `FLEETPORTS_REQUIRE_TOOLS=1` (set by `make test`) turns a missing tool into a failure.
  static var toolsRequired: Bool { ProcessInfo.processInfo.environment["FLEETPORTS_REQUIRE_TOOLS"] == "1" }

  static func scan(_ name: String) throws -> ScanResult {
    try ScanJSON.load(fixtures.appendingPathComponent(name).path).scan
  }

  /// A fresh folder for one test's output, kept after the run (printed paths point into it).
  static func outputFolder(_ name: String) throws -> String {
    let folder = repoRoot.appendingPathComponent(".build-report/report-test-output/\(name)").path
    try? FileManager.default.removeItem(atPath: folder)
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    chmod(folder, 0o700)  // whatever the umask: the writer refuses folders others can write to
    return folder
  }

  /// Records a failure when tools are required, otherwise notes the skip; returns nil either way.
  static func missing(_ tool: String) -> String? {
    if toolsRequired {
      Issue.record("\(tool) is required (FLEETPORTS_REQUIRE_TOOLS=1) but was not found; run `make setup`")
    } else {
      print("note: \(tool) not found; test skipped (set FLEETPORTS_REQUIRE_TOOLS=1 to fail instead)")
    }
    return nil
  }

  static func which(_ name: String) -> String? {
    for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
      let path = "\(folder)/\(name)"
      if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return nil
  }

  /// A python3 that can `import` every module named (the first on PATH, then Debian's).
  static func python(with modules: [String]) -> String? {
    var candidates = [which("python3"), "/usr/bin/python3"].compactMap { $0 }
    candidates = candidates.filter { FileManager.default.isExecutableFile(atPath: $0) }
    for python in candidates {
      let check = modules.map { "import \($0)" }.joined(separator: "; ")
      if let result = try? run(python, ["-c", check], timeout: 30), result.status == 0 { return python }
    }
    return nil
  }

  struct Output { var status: Int32; var stdout: String; var stderr: String }

  /// Runs a program with a hard timeout (the process is killed after it).
  static func run(_ program: String, _ arguments: [String], timeout: Double) throws -> Output {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = arguments
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fp-run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let out = folder.appendingPathComponent("out"), err = folder.appendingPathComponent("err")
    _ = FileManager.default.createFile(atPath: out.path, contents: nil)
    _ = FileManager.default.createFile(atPath: err.path, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: err)
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { usleep(20_000) }
    if process.isRunning {
      process.terminate()
      usleep(500_000)
      if process.isRunning { kill(process.processIdentifier, SIGKILL) }
      process.waitUntilExit()
      throw TimeoutFailure(program: program, seconds: timeout)
    }
    process.waitUntilExit()
    return Output(
      status: process.terminationStatus, stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
      stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
  }

  struct TimeoutFailure: Error, CustomStringConvertible {
    var program: String
    var seconds: Double
    var description: String { "\(program) did not finish in \(seconds) s" }
  }

  static func text(_ scan: ScanResult, _ format: ReportFormat) throws -> String {
    String(decoding: try ReportWriter.render(scan, format: format), as: UTF8.self)
  }
}
