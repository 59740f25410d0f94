import FleetPortsCore
import FleetPortsScan
import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Progress on standard error: a bar redrawn in place on a terminal, a line per host otherwise.
/// Hosts finish on several threads; the lock keeps one redraw from interleaving with another.
final class ProgressLine: Sendable {
  private let total: Int
  private let isTerminal = isatty(2) == 1
  private let drawing = Mutex(())

  init(total: Int) { self.total = total }

  func update(_ progress: ScanProgress) {
    drawing.withLock { _ in draw(progress) }
  }

  private func draw(_ progress: ScanProgress) {
    if isTerminal {
      let width = 30
      let filled = total == 0 ? width : progress.done * width / max(total, 1)
      let bar = String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled)
      FileOutput.standardError("\r[\(bar)] \(progress.done)/\(total) hosts, \(progress.failed) failed, \(String(format: "%.1f", progress.elapsedSeconds)) s")
    } else {
      FileOutput.standardError("\(progress.done)/\(total) \(TerminalText.sanitize(progress.lastHost)): \(progress.lastStatus)\n")
    }
  }

  func finish() {
    if isTerminal { FileOutput.standardError("\n") }
  }
}
