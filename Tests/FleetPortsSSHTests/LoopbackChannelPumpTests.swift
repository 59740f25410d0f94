import FleetPortsCore
import Foundation
import LabSupport
import Testing

@testable import FleetPortsSSH

#if canImport(Glibc)
  import Glibc
#endif

/// The jump session's channel pump against a real sshd on 127.0.0.1 that is its own jump
/// host, with `direct-tcpip` channels to listeners the test holds, so the far end of a
/// channel does exactly what the test needs (never ends, never answers).
@Suite(.loopbackSSHD, .serialized) struct LoopbackChannelPumpTests {
  /// A TCP listener on 127.0.0.1 that never accepts: the kernel completes handshakes into its
  /// queue on its own (up to the backlog), and a connection queued there never ends.
  final class Listener {
    let fd: Int32
    let port: Int
    /// Connections the test made to fill the queue.
    private var fillers: [Int32] = []

    init(backlog: Int32) throws {
      let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
      self.fd = fd
      var address = sockaddr_in()
      address.sin_family = sa_family_t(AF_INET)
      address.sin_addr.s_addr = inet_addr("127.0.0.1")
      var length = socklen_t(MemoryLayout<sockaddr_in>.size)
      let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
          bind(fd, pointer, length) == 0 && listen(fd, backlog) == 0 && getsockname(fd, pointer, &length) == 0
        }
      }
      try #require(bound, "listener: \(String(cString: strerror(errno)))")
      port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// Fills the accept queue (backlog 0 holds one connection), so the kernel drops the
    /// SYNs of later connects and they hang: an open to this port never gets its answer
    /// within a test's deadlines.
    func fill() throws {
      let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
      var address = sockaddr_in()
      address.sin_family = sa_family_t(AF_INET)
      address.sin_addr.s_addr = inet_addr("127.0.0.1")
      address.sin_port = UInt16(port).bigEndian
      let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
      }
      try #require(connected, "filling the listener: \(String(cString: strerror(errno)))")
      fillers.append(client)
    }

    deinit {
      for filler in fillers { Glibc.close(filler) }
      Glibc.close(fd)
    }
  }

  static func pool(_ sshd: LoopbackSSHD, connect: Duration) throws -> JumpPool {
    let identity = SSHIdentity(path: sshd.clientKeyPath, privateKey: Array(try Data(contentsOf: URL(fileURLWithPath: sshd.clientKeyPath))))
    let base = SSHClient(
      knownHosts: try KnownHostsStore(path: sshd.knownHostsPath), credentials: SSHCredentials(identities: [identity]),
      deadlines: SSHDeadlines(connect: connect, handshakeAndAuth: .seconds(30), command: .seconds(30)))
    return JumpPool(base: base, identities: [:], channelsPerJump: 4)
  }

  /// A target that hung up first leaves its channel open until the far end ends too, and
  /// here the far end never does. Its socket then reports a hang-up for as long as the
  /// channel lives; the pump used to wake on it at once every time (a busy loop), so the
  /// waits that end on a deadline never did: an open that hangs was never timed out.
  @Test func anOpenThatHangsTimesOutWhileAnotherTargetHasHungUp() async throws {
    let sshd = try LoopbackSSHD()
    defer { sshd.stop() }
    let connectLimit = Duration.seconds(2)
    let pool = try Self.pool(sshd, connect: connectLimit)
    let hop = JumpHop(name: "loopback-jump", address: "127.0.0.1", port: sshd.port, user: "root")
    let silent = try Listener(backlog: 16)
    let full = try Listener(backlog: 0)
    try full.fill()

    // The first target hangs up; the far end (queued, never accepted) stays open.
    let first = try await pool.channel(through: [hop], to: "127.0.0.1", port: silent.port)
    Glibc.close(first)
    try await Task.sleep(for: .milliseconds(300))
    // Nothing to do now but wait for the far end: the pump sleeps (it woke thousands of
    // times a second here).
    let before = try #require(pool.pumpWakes(of: [hop]))
    try await Task.sleep(for: .seconds(1))
    let wakes = try #require(pool.pumpWakes(of: [hop])) - before
    #expect(wakes < 20, "the pump woke \(wakes) times in 1 s with nothing to do")

    // An open the jump host cannot complete: the pump must give up at the connect deadline.
    let hangingPort = full.port
    let clock = ContinuousClock()
    let started = clock.now
    let outcome = await withTaskGroup(of: Result<Int32, SSHError>?.self) { group in
      group.addTask {
        do throws(SSHError) {
          return .success(try await pool.channel(through: [hop], to: "127.0.0.1", port: hangingPort))
        } catch {
          return .failure(error)
        }
      }
      // Bounded: without the fix the open waits for the jump host's connect to give up (minutes).
      group.addTask {
        try? await Task.sleep(for: .seconds(20))
        return nil
      }
      let first = await group.next() ?? nil
      group.cancelAll()
      return first
    }
    let elapsed = clock.now - started
    await pool.shutdown()
    switch outcome {
    case .none:
      Issue.record("the open was still waiting after 20 s; the connect deadline is \(connectLimit)")
    case .success(let fd):
      Glibc.close(fd)
      Issue.record("an open to a port whose queue is full succeeded")
    case .failure(let error):
      #expect(error.code == .timeout(phase: SSHPhase.connect.rawValue), "\(error)")
      // The deadline plus room for a loaded machine (seen: 5.7 s at a load of 130); far from
      // the two minutes the jump host's own connect takes to give up.
      #expect(elapsed < connectLimit + .seconds(10), "failed after \(elapsed)")
    }
  }
}
