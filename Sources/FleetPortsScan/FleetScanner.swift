import FleetPortsCore
import FleetPortsSSH
import Foundation

/// Scans many hosts at once: a sliding window of `parallel` hosts, each one SSH session
/// running the probe, each outcome a `HostResult` whatever happens to the others. Hosts that
/// share one server (`address:port`) take turns `perServer` at a time.
public struct FleetScanner: Sendable {
  public var knownHosts: KnownHostsStore
  /// Stores for targets whose ssh_config names their own known_hosts files, each set read once.
  public var knownHostsByFiles: [KnownHostsFiles: KnownHostsStore] = [:]
  /// ssh_config's `CertificateFile`s, each read once; a host offers those its config lists
  /// with the identity each certifies (`SSHCertificate.certifies`).
  public var certificates: [SSHCertificate] = []
  public var checking: HostKeyChecking
  /// Identities by path, read once before the scan.
  public var identities: [String: SSHIdentity]
  /// Identities tried for hosts without their own `key=` (the user's defaults or --identity).
  public var defaultIdentities: [SSHIdentity]
  public var agentSocket: String?
  public var method: ProbeMethod
  public var parallel: Int
  /// Hosts at once per `address:port`: below sshd's MaxStartups start (10 by default), past
  /// which sshd drops new connections at random.
  public var perServer: Int
  public var deadlines: SSHDeadlines
  public var sectionCap: Int
  /// Channels at once on one jump host's session; targets beyond it wait their turn.
  public var channelsPerJump: Int

  public init(
    knownHosts: KnownHostsStore, checking: HostKeyChecking, identities: [String: SSHIdentity], defaultIdentities: [SSHIdentity],
    agentSocket: String?, method: ProbeMethod, parallel: Int, perServer: Int = FleetScanner.defaultPerServer, deadlines: SSHDeadlines,
    sectionCap: Int = ProbeScript.defaultSectionCap, channelsPerJump: Int = JumpPool.defaultChannelsPerJump
  ) {
    self.knownHosts = knownHosts
    self.checking = checking
    self.identities = identities
    self.defaultIdentities = defaultIdentities
    self.agentSocket = agentSocket
    self.method = method
    self.parallel = max(1, parallel)
    self.perServer = max(1, perServer)
    self.deadlines = deadlines
    self.sectionCap = sectionCap
    self.channelsPerJump = max(1, channelsPerJump)
  }

  /// The default of `perServer`: two below OpenSSH's MaxStartups start of 10.
  public static let defaultPerServer = 8

  /// Scans `targets`; returns one result per target in inventory order. When the calling
  /// task is cancelled (Ctrl-C), no new host is started, hosts in flight are abandoned at
  /// once, and the ones not finished come back as `not-scanned`.
  public func scan(_ targets: [ScanTarget], progress: @escaping @Sendable (ScanProgress) -> Void = { _ in }) async -> (
    hosts: [HostResult], interrupted: Bool
  ) {
    let clock = ContinuousClock()
    let start = clock.now
    var results = [HostResult?](repeating: nil, count: targets.count)
    var failed = 0
    var done = 0
    let limiter = ServerLimiter(limit: perServer)
    let probe = ProbeCopies(method: method, sectionCap: sectionCap)
    // One session per jump host for the whole scan, shared by the targets behind it; ended
    // with the scan (also when Ctrl-C cancels it).
    let jumps = JumpPool(
      base: SSHClient(
        knownHosts: knownHosts, checking: checking, credentials: SSHCredentials(identities: defaultIdentities, agentSocket: agentSocket),
        deadlines: deadlines),
      identities: identities, channelsPerJump: channelsPerJump)
    await withTaskGroup(of: (Int, HostResult).self) { group in
      var next = 0
      func startNext() {
        guard next < targets.count, !Task.isCancelled else { return }
        let index = next
        let target = targets[index]
        next += 1
        group.addTask { (index, await self.scanOne(target, limiter: limiter, jumps: jumps, probe: probe)) }
      }
      for _ in 0..<min(parallel, targets.count) { startNext() }
      while let (index, result) = await group.next() {
        results[index] = result
        done += 1
        if result.status == .failed { failed += 1 }
        let elapsed = clock.now - start
        progress(
          ScanProgress(
            done: done, total: targets.count, failed: failed,
            elapsedSeconds: elapsed.seconds, lastHost: targets[index].name,
            lastStatus: result.failure?.code.rawValue ?? result.status.rawValue))
        startNext()
      }
    }
    await jumps.shutdown()
    SSHClient.releaseFreeMemory()
    let interrupted = Task.isCancelled
    let hosts = targets.enumerated().map { index, target in
      results[index]
        ?? target.result(
          status: .notScanned,
          failure: HostResult.Failure(code: .interrupted, message: "the scan was interrupted before this host finished"))
    }
    return (hosts, interrupted)
  }

  /// One host, once its server has a free slot in `limiter`.
  func scanOne(_ target: ScanTarget, limiter: ServerLimiter, jumps: JumpPool?, probe: ProbeCopies) async -> HostResult {
    let server = target.serverKey
    guard await limiter.acquire(server) else {
      return target.result(
        status: .notScanned, failure: HostResult.Failure(code: .interrupted, message: "abandoned when the scan was interrupted"))
    }
    let result = await scanOne(target, jumps: jumps, probe: probe)
    await limiter.release(server)
    return result
  }

  /// One host's scan; `jumps` carries the hosts behind a ProxyJump, `probe` the scan's script
  /// made once.
  func scanOne(_ target: ScanTarget, jumps: JumpPool?, probe: ProbeCopies) async -> HostResult {
    // A nonce per host: a host sees its own script, so one compromised host must not learn
    // the nonce that frames another host's output.
    let nonce = ProbeScript.makeNonce()
    let script = probe.script(nonce: nonce)
    let clock = ContinuousClock()
    let start = clock.now
    var result = target.result(status: .failed)
    func finish() -> HostResult {
      let elapsed = clock.now - start
      result.durationSeconds = (elapsed.seconds * 1000).rounded() / 1000
      return result
    }
    let connection = target.connection
    var credentials = SSHCredentials(identities: defaultIdentities, agentSocket: agentSocket)
    if let path = target.identityFile {
      guard let identity = identities[path] else {
        result.failure = HostResult.Failure(code: .identityUnreadable, message: "identity file \(path) could not be read")
        return finish()
      }
      credentials.identities = [identity]
    } else if !connection.identityFiles.isEmpty {
      credentials.identities = connection.identityFiles.compactMap { identities[$0] }
    }
    if !connection.certificateFiles.isEmpty {
      let listed = certificates.filter { connection.certificateFiles.contains($0.path) }
      credentials.identities = credentials.identities.map { identity in
        guard identity.certificate == nil, let match = listed.first(where: { $0.certifies(identity) }) else { return identity }
        var certified = identity
        certified.certificate = match
        return certified
      }
    }
    switch connection.agent {
    case .scanDefault: break
    case .none: credentials.agentSocket = nil
    case .socket(let path): credentials.agentSocket = path
    }
    if connection.identitiesOnly && !credentials.identities.isEmpty { credentials.agentSocket = nil }
    var deadlines = deadlines
    if let connect = connection.connectTimeout { deadlines.connect = min(connect, deadlines.handshakeAndAuth) }
    let store = connection.knownHosts.flatMap { knownHostsByFiles[$0] } ?? knownHosts
    let client = SSHClient(
      knownHosts: store, checking: connection.hostKeyChecking ?? checking, credentials: credentials, deadlines: deadlines, jumps: jumps)
    do throws(SSHError) {
      let sshTarget = SSHTarget(
        host: target.address, port: target.port, user: target.user, hostKeyAlias: connection.hostKeyAlias,
        algorithms: connection.algorithms,
        route: target.route)
      // The probe on the channel's stdin (see ProbeCommand.commandLine).
      let finished = try await client.run(ProbeCommand.commandLine(sudo: target.sudo), stdin: script, on: sshTarget)
      result.hostKeyFingerprint = finished.hostKeyFingerprint
      switch ProbeCommand.interpret(
        stdout: finished.stdout, stderr: finished.stderr, exitStatus: finished.exitStatus, nonce: nonce, sudo: target.sudo,
        user: target.user, outputCut: finished.stdoutTruncated, signal: finished.exitSignal)
      {
      case .success(let snapshot):
        result.status = .ok
        result.snapshot = snapshot
      case .failure(let failure):
        result.failure = failure
      }
    } catch {
      if error.kind == .cancelled {
        result.status = .notScanned
        result.failure = HostResult.Failure(code: .interrupted, message: "abandoned when the scan was interrupted")
      } else {
        var described = error
        described.host = ""
        result.failure = HostResult.Failure(code: error.code, message: described.description)
      }
    }
    return finish()
  }
}
