import FleetPortsFiles
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Files that map a fleet's attack surface: folders 0700, files created 0600 from the start
/// (written to a temporary name, then renamed), and the `latest` link beside the folder.
enum PrivateFiles {
  /// Creates `folder` 0700 (missing parents too). An existing folder is used only when this
  /// user owns it and nobody else can write to it, and its mode is never changed: `--out /tmp`
  /// must neither chmod /tmp nor write a fleet map where others can swap files. `option` names
  /// the flag that chose the folder, for the message.
  static func createFolder(_ folder: String, option: String = "--out") throws(ReportError) {
    if let problem = PrivateFolder.problem(folder, option: option) { throw .writeFailed(path: folder, reason: problem) }
  }

  static func write(_ bytes: [UInt8], to path: String) throws(ReportError) {
    do {
      let file = try PrivateFile(creating: path)
      try file.append(bytes)
      try file.commit()
    } catch {
      throw .writeFailed(path: error.path, reason: error.reason)
    }
  }

  /// Points `<parent>/latest` at `folder` (relative, replaced atomically). The folder is
  /// resolved first, so re-rendering `reports/latest` never makes the link point at itself.
  static func updateLatestLink(_ folder: String) {
    guard let resolved = realpath(folder, nil) else { return }
    let real = String(cString: resolved)
    free(resolved)
    let parent = (real as NSString).deletingLastPathComponent
    let target = (real as NSString).lastPathComponent
    guard target != "latest", !target.isEmpty else { return }
    let link = (parent as NSString).appendingPathComponent("latest")
    unlink(link + ".new")
    guard symlink(target, link + ".new") == 0 else { return }
    rename(link + ".new", link)
  }
}
