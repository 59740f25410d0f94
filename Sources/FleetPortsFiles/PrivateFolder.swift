import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The folder rules every fleetports file follows (reports, scan.json, the history database).
public enum PrivateFolder {
  /// Makes sure `folder` exists, is a folder this user owns and nobody else can write to;
  /// creates it 0700 (missing parents too) when absent. Returns what is wrong, or nil.
  public static func problem(_ folder: String, option: String) -> String? {
    var info = stat()
    // stat follows a link (re-rendering through `reports/latest`); what it leads to is checked.
    if stat(folder, &info) == 0 {
      guard info.st_mode & S_IFMT == S_IFDIR else { return "it exists and is not a folder; choose another \(option)" }
      guard info.st_uid == geteuid() else {
        return "it belongs to another user; fleetports' files map the fleet's attack surface, so choose a folder of your own with \(option)"
      }
      guard info.st_mode & 0o022 == 0 else {
        return "other users can write to it; choose a private folder with \(option) (or chmod go-w it)"
      }
      return nil
    }
    let parent = (folder as NSString).deletingLastPathComponent
    if !parent.isEmpty && !FileManager.default.fileExists(atPath: parent) {
      do {
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
      } catch {
        if !FileManager.default.fileExists(atPath: parent) { return "cannot create \(parent): \(error.localizedDescription)" }
      }
    }
    guard mkdir(folder, 0o700) == 0 else {
      // Another fleetports may have made it a moment ago: judge what is there now.
      if errno == EEXIST, stat(folder, &info) == 0 { return problem(folder, option: option) }
      return "cannot create it: \(String(cString: strerror(errno)))"
    }
    chmod(folder, 0o700)  // ours, just made: undo whatever the umask did
    return nil
  }
}
