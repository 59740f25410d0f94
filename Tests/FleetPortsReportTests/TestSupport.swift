import FleetPortsCore
import FleetPortsReport
import Foundation
import LabSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

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

  /// The external tools the report tests check their output with, looked up once.
  static let pythonWithJSON = python(with: ["json"])
  static let pythonWithJSONSchema = python(with: ["jsonschema"])
  static let pythonWithXML = python(with: ["xml.etree.ElementTree"])
  static let chromium = which("chromium")
  static let chromedriver = which("chromedriver")
  /// Debian's python3 with venv and ensurepip (python3-venv): what the Selenium test's virtualenv is made from.
  static let pythonWithVenv = python(with: ["venv", "ensurepip"])

  /// The Selenium version the browser test installs from PyPI into `.build-selenium/venv`.
  static let seleniumVersion = "4.51.0"

  /// The virtualenv's python with Selenium, made on first use under `.build-selenium/` (ignored
  /// by git): `python3 -m venv`, then `pip install selenium==seleniumVersion` from PyPI. Throws
  /// when either step fails (no network, no python3-venv).
  static func seleniumPython() throws -> String {
    let venv = repoRoot.appendingPathComponent(".build-selenium/venv").path
    let python = venv + "/bin/python"
    let check = try? run(python, ["-c", "import selenium, sys; sys.exit(0 if selenium.__version__ == '\(seleniumVersion)' else 1)"], timeout: 60)
    if check?.status == 0 { return python }
    let system = try require(pythonWithVenv, "python3 with venv (python3-venv)")
    let made = try run(system, ["-m", "venv", venv], timeout: 120)
    guard made.status == 0 else { throw SetupFailure(step: "python3 -m venv \(venv)", output: made.stderr) }
    let pip = try run(
      venv + "/bin/pip", ["install", "-q", "--disable-pip-version-check", "selenium==\(seleniumVersion)"], timeout: 300)
    guard pip.status == 0 else { throw SetupFailure(step: "pip install selenium==\(seleniumVersion)", output: pip.stderr) }
    return python
  }

  struct SetupFailure: Error, CustomStringConvertible {
    var step: String
    var output: String
    var description: String { "\(step) failed: \(output)" }
  }

  /// A missing tool in a test that `FLEETPORTS_REQUIRE_TOOLS=1` made run.
  struct MissingTool: Error, CustomStringConvertible {
    var tool: String
    var description: String { "\(tool) is required (FLEETPORTS_REQUIRE_TOOLS=1) but was not found; run `make setup`" }
  }

  /// The tool's path; throws `MissingTool` when it is not here (the `.needs` trait let the test
  /// run only because tools are required).
  static func require(_ path: String?, _ tool: String) throws -> String {
    guard let path else { throw MissingTool(tool: tool) }
    return path
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

  struct Output {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  /// Runs a program with a hard timeout (its process group is killed after it).
  static func run(_ program: String, _ arguments: [String], timeout: Double) throws -> Output {
    let ran = try ChildProcess.run([program] + arguments, timeout: .milliseconds(Int64(timeout * 1000)))
    if ran.timedOut { throw TimeoutFailure(program: program, seconds: timeout) }
    return Output(status: ran.status, stdout: ran.stdoutText, stderr: ran.stderrText)
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

extension Trait where Self == ConditionTrait {
  /// Runs the test only when `found` says the tool is here, and reports it as skipped otherwise;
  /// `FLEETPORTS_REQUIRE_TOOLS=1` (`make test`) runs it anyway, so a missing tool fails it.
  static func needs(_ tool: String, _ found: @escaping @Sendable () -> Bool) -> Self {
    .enabled("needs \(tool) (`make setup` installs it)") { TestSupport.toolsRequired || found() }
  }
}
