/// Parses /proc/net/sctp/eps, the kernel's SCTP endpoints (Linux `net/sctp/proc.c`,
/// `sctp_eps_seq_show()`, unchanged in layout since 2.6):
///
///     ` ENDPT     SOCK   STY SST HBKT LPORT   UID INODE LADDRS`
///     `%8pK %8pK %-3d %-3d %-4d %-5d %5u %5lu ` then each bound address `%pI4 ` or `%pI6 `
///
/// STY is the socket type (1 one-to-one `SOCK_STREAM`, 5 one-to-many `SOCK_SEQPACKET`), SST
/// the state in TCP numbering (10 listening, 7 closed/bound, 1 established), LPORT decimal,
/// IPv6 addresses in full `%pI6` form (`0000:0000:…:0001`). A multi-homed endpoint lists
/// several addresses: it becomes one `SocketRecord` per address, all with the same inode.
public enum ProcNetSCTPParser {
  public static func parse(_ bytes: [UInt8]) -> SocketParse {
    bytes.withUnsafeBufferPointer { parse($0) }
  }

  public static func parse(_ buffer: UnsafeBufferPointer<UInt8>) -> SocketParse {
    var result = SocketParse(format: .procNetSCTPEndpoints)
    forEachLine(buffer) { number, line in
      result.report.linesRead += 1
      var fields = FieldCursor(line)
      guard let first = fields.next() else {
        result.report.linesIgnored += 1
        return
      }
      if line.equals(first, "ENDPT") {
        result.report.linesIgnored += 1
        return
      }
      guard line.hex(first) != nil, let sock = fields.next(), line.hex(sock) != nil,
        let styRange = fields.next(), let sty = line.decimal(styRange),
        let sstRange = fields.next(), let sst = line.decimal(sstRange),
        fields.next() != nil,
        let portRange = fields.next(), let port = line.decimal(portRange), port <= 65535,
        let uidRange = fields.next(), let uid = line.decimal(uidRange), uid <= UInt64(UInt32.max),
        let inodeRange = fields.next(), let inode = line.decimal(inodeRange)
      else {
        result.report.reject(line: number, reason: "not a /proc/net/sctp/eps row (ENDPT SOCK STY SST HBKT LPORT UID INODE LADDRS)", bytes: line)
        return
      }
      let state: SocketState? = sst == 10 ? .listen : (sst == 7 ? .close : SocketState(procCode: UInt8(truncatingIfNeeded: sst)))
      var addresses: [HostAddress] = []
      var bad = false
      while let range = fields.next(), addresses.count < 64 {
        var text = line.substring(range)
        if text.hasPrefix("*") { text = text.dropFirst() }
        let address = HostAddress.parse(text)
        if case .text = address {
          bad = true
          break
        }
        addresses.append(address)
      }
      guard !bad else {
        result.report.reject(line: number, reason: "an LADDRS entry is not an address", bytes: line)
        return
      }
      if addresses.isEmpty { addresses = [.wildcard(nil)] }
      for address in addresses {
        var record = SocketRecord(
          proto: .sctp, family: address.family, state: state, local: Endpoint(address: address, port: UInt16(port)),
          inode: inode, uid: UInt32(uid))
        if sty == 5 { record.netid = "sctp-seqpacket" }
        result.sockets.append(record)
      }
      result.report.linesUnderstood += 1
    }
    return result
  }
}
