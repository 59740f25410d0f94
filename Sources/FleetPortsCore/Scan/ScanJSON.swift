/// scan.json's bytes. One encoder writes them everywhere (`StreamingJSONEncoder`: pretty,
/// keys in declaration order, dictionaries sorted), so the history's copy and a re-written
/// scan.json are byte for byte what the scan wrote. Reading a file lives at the edges
/// (`ScanJSON.load` in FleetPortsReport).
public enum ScanJSON {
  /// The scan as scan.json's UTF-8 bytes (docs/scan-json.md).
  /// - Throws: `EncodingError` for a value JSON cannot hold (a NaN duration).
  public static func encode(_ scan: ScanResult) throws -> [UInt8] {
    // A scanned host is ≈ 50–60 KB of scan.json (a lab host with its snapshot): reserving
    // 128 KB each spares the copies of a growing buffer (1.5× its size while it doubles). A
    // failed host's row is far smaller, and the reservation stops at 256 MiB (≈ 2,000 hosts)
    // so a very large fleet grows its buffer instead of asking for gigabytes up front.
    let scanned = scan.hosts.count { $0.snapshot != nil }
    return try StreamingJSONEncoder.encode(
      scan, capacity: min(256 << 20, max(64 << 10, scanned * (128 << 10) + (scan.hosts.count - scanned) * (4 << 10))))
  }

  /// The size of the pieces `encode(_:into:)` hands over: large enough that a file or
  /// database write per piece costs nothing beside the encoding, small enough to stay out of
  /// the peak memory of a 1,000-host scan.
  public static let chunkSize = 1 << 20

  /// The same bytes as `encode(scan)`, handed to `sink` a piece of about `chunkSize` at a time
  /// (the buffer is reused: `sink` copies what it keeps), so scan.json is never whole in memory.
  /// - Returns: the number of bytes.
  /// - Throws: `EncodingError` for a value JSON cannot hold, or what `sink` throws.
  @discardableResult
  public static func encode(_ scan: ScanResult, into sink: @escaping (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
    try StreamingJSONEncoder.encode(scan, chunkSize: chunkSize, into: sink)
  }

  /// A diff basis as the history's `diffJSON` bytes (the same encoder: pretty, keys in order).
  /// - Throws: `EncodingError` for a value JSON cannot hold.
  public static func encode(_ basis: DiffBasis) throws -> [UInt8] {
    try StreamingJSONEncoder.encode(basis)
  }
}
