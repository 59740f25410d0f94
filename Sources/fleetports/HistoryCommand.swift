import ArgumentParser
import FleetPortsCore
import FleetPortsReport
import FleetPortsStore
import Foundation

/// `fleetports history [HOST]`: the stored scans over time, or one host's listeners across them.
struct HistoryCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "history",
    abstract: "List the stored scans, or one host's listeners across them.",
    discussion: """
      Without HOST: every stored scan (--db), newest first: id, start time, hosts scanned and \
      failed, listeners, unsuppressed findings by severity. With HOST (its inventory name): \
      each listener the host ever had, first and last seen (scan id and time), and its state \
      in the newest scan of the host: listening, gone, or unknown (that scan could not reach it).

      Exit codes: 0 listed; 2 usage error (a HOST no stored scan names lists the known ones).
      """
  )

  @Argument(help: "A host's inventory name.")
  var host: String?

  @Option(help: "At most this many scans (without HOST).")
  var limit: Int?

  @Flag(help: "JSON instead of a table.")
  var json = false

  @OptionGroup var database: StoreOptions

  func validate() throws {
    if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
  }

  func run() throws {
    let history = try database.open()
    if let host {
      let listeners = try history.history(host: host)
      guard try !listeners.isEmpty || history.hostNames().contains(host) else {
        let names = try history.hostNames()
        let shown = names.prefix(30).map(TerminalText.sanitize).joined(separator: ", ")
        throw ValidationError("no stored scan names host \(TerminalText.sanitize(host)); hosts: \(names.isEmpty ? "none" : shown)\(names.count > 30 ? ", …" : "")")
      }
      FileOutput.standardOutput(json ? try Self.json(listeners) : HistoryText.listeners(listeners, host: host))
    } else {
      let scans = try history.scans(limit: limit)
      FileOutput.standardOutput(json ? try Self.json(scans) : HistoryText.scans(scans, path: history.path))
    }
  }

  static func json(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
  }
}
