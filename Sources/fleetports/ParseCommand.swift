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
    let bytes = try readInput()
    let options = ParseOptions(procByteOrder: byteOrder)
    guard let parsed = CaptureParser.parse(bytes, as: format, options: options) else {
      FileOutput.standardError("fleetports: could not recognise the format of \(file ?? "standard input"); name it with --as (one of: \(CaptureFormat.allCases.map(\.rawValue).joined(separator: ", ")))\n")
      throw ExitCode(1)
    }
    if json {
      // Sockets written directly (SocketParseJSON), keys in declaration order as in scan.json;
      // Foundation's sorted-keys encoder built and sorted a dictionary per socket (4–9 MB/s).
      // Printed 1 MiB at a time, so a large capture's JSON is never all in memory.
      try SocketParseJSON.encode(parsed, chunkSize: 1 << 20) { FileOutput.standardOutput(bytes: $0) }
      FileOutput.standardOutput("\n")
    } else {
      FileOutput.standardOutput(SocketTable.render(parsed))
    }
    FileOutput.standardError(ParseReportText.render(parsed.report, format: parsed.format))
    if !Self.recognised(parsed, bytes) {
      throw ExitCode(1)
    }
  }

  /// Whether the input was recognised: it gave sockets or counters, or it is a well-formed
  /// table with no rows (a header, every line ignored, none rejected, something not blank).
  static func recognised(_ parsed: SocketParse, _ bytes: [UInt8]) -> Bool {
    if !parsed.sockets.isEmpty || !parsed.counters.isEmpty { return true }
    let report = parsed.report
    let hasText = bytes.contains { $0 != 32 && $0 != 9 && $0 != 10 && $0 != 13 }
    return hasText && report.unparsedCount == 0 && report.linesIgnored > 0
  }

  func readInput() throws -> [UInt8] {
    let fd: Int32
    if let file {
      fd = open(file, O_RDONLY | O_CLOEXEC)
      guard fd >= 0 else {
        throw ValidationError("cannot open \(file): \(String(cString: strerror(errno)))")
      }
    } else {
      fd = 0
    }
    defer { if fd != 0 { close(fd) } }
    // Straight into one buffer sized from the file when it has a size (a pipe grows it).
    var info = stat()
    let size = fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG ? Int(info.st_size) : 0
    var bytes = [UInt8](repeating: 0, count: max(size + 1, 1 << 16))
    var count = 0
    while true {
      if count == bytes.count {
        guard bytes.count <= Self.maxInputBytes else {
          throw ValidationError("input is larger than \(Self.maxInputBytes >> 20) MiB; refusing to read it all")
        }
        bytes.append(contentsOf: repeatElement(0, count: bytes.count))
      }
      let got = bytes.withUnsafeMutableBytes { raw in raw.baseAddress.map { read(fd, $0 + count, raw.count - count) } ?? 0 }
      if got < 0 && errno == EINTR { continue }
      guard got >= 0 else {
        throw ValidationError("cannot read \(file ?? "standard input"): \(String(cString: strerror(errno)))")
      }
      if got == 0 { break }
      count += got
    }
    if count > Self.maxInputBytes {
      throw ValidationError("input is larger than \(Self.maxInputBytes >> 20) MiB; refusing to read it all")
    }
    bytes.removeSubrange(count...)
    return bytes
  }
}

extension CaptureFormat: ExpressibleByArgument {}
extension ParseOptions.ByteOrder: ExpressibleByArgument {}
