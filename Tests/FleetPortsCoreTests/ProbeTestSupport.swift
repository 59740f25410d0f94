import Foundation
import LabSupport
import Testing

@testable import FleetPortsCore

#if canImport(Glibc)
  import Glibc
#endif

/// Runs shells as child processes: the probe script on stdin through a pipe, as over SSH.
enum ProbeShell {
  struct Run {
    var stdout: [UInt8]
    var stderr: [UInt8]
    var status: Int32
    var seconds: Double
    var timedOut: Bool
  }

  /// A shell that runs scripts from stdin, and how to call it.
  struct Shell: CustomStringConvertible, Sendable {
    var label: String
    var argv: [String]
    var description: String { label }
  }

  static let busybox: String? = ["/usr/bin/busybox", "/bin/busybox"].first { FileManager.default.isExecutableFile(atPath: $0) }

  static let shells: [Shell] = {
    var list = [Shell(label: "sh(dash)", argv: ["/bin/sh", "-s"])]
    if let bash = ["/usr/bin/bash", "/bin/bash"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) {
      list.append(Shell(label: "bash --posix", argv: [bash, "--posix", "-s"]))
    }
    if let busybox { list.append(Shell(label: "busybox sh", argv: [busybox, "sh", "-s"])) }
    return list
  }()

  static var isRoot: Bool { geteuid() == 0 }
  static let runuser = ["/usr/sbin/runuser", "/sbin/runuser"].first { FileManager.default.isExecutableFile(atPath: $0) }
  /// unshare(1), which gives a test a network namespace of its own (root only), when installed.
  static let unshare = ["/usr/bin/unshare", "/bin/unshare"].first { FileManager.default.isExecutableFile(atPath: $0) }

  /// The real probe of `method` run by /bin/sh in a new network namespace with loopback up,
  /// after `setup` (shell text, run there first and required to succeed). Root only. With
  /// `ownMounts` in a mount namespace of its own too (private: what `setup` mounts stays there).
  static func runInNetworkNamespace(
    setup: String, method: ProbeMethod = .ss, ownMounts: Bool = false
  ) throws -> (run: Run, output: ProbeOutput) {
    let unshare = try #require(unshare)
    let script = ProbeScript.make(nonce: ProbeTests.nonce, method: method)
    let namespaces = ownMounts ? ["-n", "-m", "--propagation", "private"] : ["-n"]
    let run = try run(
      [unshare] + namespaces + ["/bin/sh", "-c", "ip link set lo up && \(setup) && exec /bin/sh -s"], input: Array(script.utf8))
    return (run, ProbeOutput.parse(run.stdout, nonce: ProbeTests.nonce))
  }

  /// Whether the probe's own rule (`fp_ssflags`, run here) keeps `ss -e` on this machine, so
  /// that ss's dump is the TCP table; false where walking the machine's cgroups would cost more
  /// than /proc/net/tcp (the probe then reads the tables, `proc-net-cheaper`). Tests that
  /// expect ss's dump run only where it is taken.
  static let takesTCPFromSS: Bool = {
    let text = ProbeScript.probeFunctions + "\nfp_ssflags\n[ -z \"$fp_ssx\" ]\n"
    return (try? run(["/bin/sh", "-s"], input: Array(text.utf8)))?.status == 0
  }()

  /// Users to run as: the current one, plus `nobody` when we are root and can switch.
  static var users: [String] { isRoot && runuser != nil ? ["self", "nobody"] : ["self"] }

  static let baseEnvironment = ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/", "LANG": "C.UTF-8"]

  static func argv(_ shell: Shell, user: String) -> [String] {
    guard user != "self", let runuser else { return shell.argv }
    return [runuser, "-u", user, "--"] + shell.argv
  }

  /// Runs `argv` with `input` on stdin. With `keepStdinOpen` the pipe is only closed once the
  /// child exits (an SSH channel whose EOF comes late): the script must end on its own.
  /// `ChildProcess` starts it with a clean signal mask, as sshd would start `sh -s`.
  static func run(
    _ argv: [String], input: [UInt8], environment: [String: String] = baseEnvironment, keepStdinOpen: Bool = false,
    timeout: Double = 120
  ) throws -> Run {
    let ran = try ChildProcess.run(
      argv, stdin: input, keepStdinOpen: keepStdinOpen, environment: environment, timeout: .milliseconds(Int64(timeout * 1000)))
    return Run(stdout: ran.stdout, stderr: ran.stderr, status: ran.status, seconds: ran.seconds, timedOut: ran.timedOut)
  }
}

/// Sockets this test process holds open while the probe runs, so the probe has something known to find.
final class ProbeListeners: Sendable {
  let tcpPort: UInt16
  let tcpInode: UInt64
  let unixPath: String
  let unixInode: UInt64
  let directory: String

  static let shared = ProbeListeners()

  private init() {
    let dir = "/tmp/fp-probe-test-\(getpid())"
    mkdir(dir, 0o755)
    chmod(dir, 0o755)
    directory = dir

    let tcp = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
    address.sin_port = 0
    _ = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(tcp, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    listen(tcp, 8)
    var bound = sockaddr_in()
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &bound) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(tcp, $0, &length) }
    }
    tcpPort = UInt16(bigEndian: bound.sin_port)
    var info = stat()
    fstat(tcp, &info)
    tcpInode = UInt64(info.st_ino)

    // A path with a space: the probe must hand it to stat whole.
    let path = dir + "/listen sock"
    unlink(path)
    let unixFD = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    var unixAddress = sockaddr_un()
    unixAddress.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &unixAddress.sun_path) { raw in
      for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
    }
    _ = withUnsafePointer(to: &unixAddress) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(unixFD, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    chmod(path, 0o666)
    listen(unixFD, 8)
    unixPath = path
    fstat(unixFD, &info)
    unixInode = UInt64(info.st_ino)
  }
}

/// A directory of busybox applet links: with PATH set to it alone, a host that has nothing but
/// busybox (as Alpine's base), no ss, no lsof, and Debian's busybox netstat (no -p, no -W).
enum BusyboxOnly {
  static let directory: String? = {
    guard let busybox = ProbeShell.busybox,
      let list = try? ProbeShell.run([busybox, "--list"], input: []), list.status == 0
    else { return nil }
    let dir = "/tmp/fp-probe-busybox-\(getpid())"
    mkdir(dir, 0o755)
    chmod(dir, 0o755)
    for name in String(decoding: list.stdout, as: UTF8.self).split(separator: "\n") {
      symlink(busybox, dir + "/" + name)
    }
    return dir
  }()
}

extension ProbeListeners {
  /// This machine's addresses as `ip -o addr show` lists them (nil without `ip`): what the
  /// probe's /proc sections must name alike.
  static let ipAddresses: Set<InterfaceAddress>? = currentIPAddresses()

  static func currentIPAddresses() -> Set<InterfaceAddress>? {
    guard
      let ip = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }),
      let run = try? ProbeShell.run([ip, "-o", "addr", "show"], input: []), run.status == 0
    else { return nil }
    return Set(InterfaceAddressParser.parse(run.stdout))
  }
}
