import FleetPortsCore
import Foundation

/// Reading a stored diff basis (the `diffJSON` column of either history): `DiffBasis`
/// (version 2), or, in rows written before it, the scan cut down (`ScanResult`, version 1),
/// which is turned into a `DiffBasis` here.
public enum DiffBasisJSON {
  /// The basis in `bytes`, either version.
  /// - Throws: `StoreError.unreadableScan` for scan `id` when the bytes are neither.
  public static func decode(_ bytes: Data, id: Int64) throws(StoreError) -> DiffBasis {
    do {
      return try JSONDecoder().decode(DiffBasis.self, from: bytes)
    } catch {
      // Version 1 has no `diffBasisVersion` (nor `slots`): decode it as the scan it is.
      do {
        return DiffBasis(try JSONDecoder().decode(ScanResult.self, from: bytes))
      } catch let legacy {
        throw .unreadableScan(id: id, reason: "its diff basis is unreadable: \(error); as a version 1 basis: \(legacy)")
      }
    }
  }
}
