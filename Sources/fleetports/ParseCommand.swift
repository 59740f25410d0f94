import ArgumentParser
import CoreFoundation  // `stat` and its fields in a release (whole-module) build
import FleetPortsCore
import FleetPortsReport
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// `fleetports parse`: read captured ss, netstat, lsof or /proc/net output and show the sockets.
struct ParseCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "parse",
    abstract: "Parse captured ss, netstat, lsof or /proc/net output.",
    discussion: """
      Reads FILE (or standard input) and prints the sockets it holds as a table, or as JSON \
      with --json. The format is detected unless --as names it. What could not be read is \
      reported on standard error with line numbers; nothing is dropped silently.

      Examples:
        sudo ss -tuanp | fleetports parse
        fleetports parse --as proc-net-tcp6 /proc/net/tcp6
        ssh web1 'lsof -i -P -n -F pcuLftPnTi' | fleetports parse --json

      Exit codes: 0 parsed (also a well-formed table with no rows, such as a header-only \
      /proc/net/raw6), 1 nothing recognised, 2 usage error.
      """
  )

  @Argument(help: "A file of captured output; standard input when omitted.")
  var file: String?

  @Option(name: .customLong("as"), help: "The format: \(CaptureFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
  var format: CaptureFormat?

  @Flag(help: "Print JSON (sockets, counters and the parse report) instead of a table.")
  var json = false

  @Option(help: "Byte order of the host that wrote /proc/net hex addresses: little or big.")
  var byteOrder: ParseOptions.ByteOrder = .little

  /// Captures larger than this are refused rather than read into memory.
  static let maxInputBytes = 512 * 1024 * 1024

  func run() throws {
    let input = try CaptureInput(path: file, limit: Self.maxInputBytes)
    defer { input.release() }
    let options = ParseOptions(procByteOrder: byteOrder)
    guard let chosen = format ?? FormatDetector.detect(input.bytes) else {
      FileOutput.standardError("fleetports: could not recognise the format of \(file ?? "standard input"); name it with --as (one of: \(CaptureFormat.allCases.map(\.rawValue).joined(separator: ", ")))\n")
      throw ExitCode(1)
    }
    let parsed = CaptureParser.parse(input.bytes, as: chosen, options: options)
    if json {
      // Sockets written directly (SocketParseJSON), keys in declaration order as in scan.json;
      // Foundation's sorted-keys encoder built and sorted a dictionary per socket (4–9 MB/s).
      // Printed 1 MiB at a time straight from the writer's buffer, so a large capture's JSON
      // is never all in memory and never copied on its way out.
      try SocketParseJSON.stream(parsed, chunkSize: 1 << 20) { FileOutput.standardOutput(raw: $0) }
      FileOutput.standardOutput("\n")
    } else {
      FileOutput.standardOutput(SocketTable.render(parsed))
    }
    FileOutput.standardError(ParseReportText.render(parsed.report, format: parsed.format))
    let recognised = Self.recognised(parsed, input.bytes)
    // The process ends here: its exit returns the records' memory at once, where freeing
    // them one by one (an owner array each) took 3–4% of a large capture's time.
    Self.keptUntilExit = parsed
    if !recognised {
      throw ExitCode(1)
    }
  }

  /// The last parse, never freed (see `run()`); only `run()` sets it, once per process.
  nonisolated(unsafe) static var keptUntilExit: SocketParse?

  /// Whether the input was recognised: it gave sockets or counters, or it is a well-formed
  /// table with no rows (a header, every line ignored, none rejected, something not blank).
  static func recognised(_ parsed: SocketParse, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    if !parsed.sockets.isEmpty || !parsed.counters.isEmpty { return true }
    let report = parsed.report
    let hasText = bytes.contains { $0 != 32 && $0 != 9 && $0 != 10 && $0 != 13 }
    return hasText && report.unparsedCount == 0 && report.linesIgnored > 0
  }
}

extension CaptureFormat: ExpressibleByArgument {}
extension ParseOptions.ByteOrder: ExpressibleByArgument {}
