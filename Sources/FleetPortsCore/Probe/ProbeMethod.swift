/// Where the probe takes process attribution from (`--method`); `/proc/net` is read by every method.
public enum ProbeMethod: String, Sendable, CaseIterable, Codable {
  /// `ss` if the host has it, else a `netstat` that accepts `-p`, else `lsof`, else `/proc/<pid>/fd`.
  case auto
  /// `ss -tuaxnp` (iproute2), Unix listeners only.
  case ss
  /// `netstat -tuanpW`, with the flags the host's netstat accepts (net-tools, busybox).
  case netstat
  /// `lsof -nP -i -F0pcuLftPnTi`.
  case lsof
  /// A scan of `/proc/<pid>/fd/*` for socket inodes: needs nothing but a shell and coreutils or busybox.
  case proc

  /// The sections this method's attribution step prints (for `auto`: those of the method it chose).
  public var attributionSections: [ProbeSectionName] {
    switch self {
    case .auto: return []
    case .ss: return [.ss]
    case .netstat: return [.netstat]
    case .lsof: return [.lsof]
    case .proc: return [.procFD]
    }
  }

  /// `attributionSections`, and the names earlier probes used for them ("ss-tuanp" and
  /// "ss-xlp", before one ss did both): what a snapshot is assembled from.
  public var readableSections: [ProbeSectionName] {
    self == .ss ? attributionSections + [.ssTuanp, .ssXlp] : attributionSections
  }
}
