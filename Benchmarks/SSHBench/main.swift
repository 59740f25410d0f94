// Transport benchmark (`make bench`, on the lab): runs one command on many hosts at once
// through FleetPortsSSH and prints wall time, client CPU per session and peak RSS.
//   fleetports-ssh-bench KNOWN_HOSTS IDENTITY HOSTS_FILE SESSIONS_PER_HOST COMMAND
import FleetPortsSSH
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

func cpuSeconds() -> Double {
  var usage = rusage()
  getrusage(RUSAGE_SELF.rawValue, &usage)
  return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

func peakRSSMegabytes() -> Double {
  var usage = rusage()
  getrusage(RUSAGE_SELF.rawValue, &usage)
  return Double(usage.ru_maxrss) / 1024
}

let arguments = CommandLine.arguments
guard arguments.count == 6, let perHost = Int(arguments[4]) else {
  FileHandle.standardError.write(Data("usage: fleetports-ssh-bench KNOWN_HOSTS IDENTITY HOSTS_FILE SESSIONS_PER_HOST COMMAND\n".utf8))
  exit(2)
}
let hosts = try String(contentsOfFile: arguments[3], encoding: .utf8).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
let key = Array(try Data(contentsOf: URL(fileURLWithPath: arguments[2])))
let client = SSHClient(
  knownHosts: try KnownHostsStore(path: arguments[1]),
  credentials: SSHCredentials(identities: [SSHIdentity(path: arguments[2], privateKey: key)]),
  deadlines: SSHDeadlines(connect: .seconds(30), handshakeAndAuth: .seconds(120), command: .seconds(120)))
let command = arguments[5]

let cpuBefore = cpuSeconds()
let clock = ContinuousClock()
let start = clock.now
let (succeeded, failures, bytes) = await withTaskGroup(of: Result<Int, SSHError>.self) { group in
  for round in 0..<perHost {
    for host in hosts {
      _ = round
      group.addTask {
        do throws(SSHError) {
          let result = try await client.run(command, on: SSHTarget(host: host, user: "root"))
          return .success(result.stdout.count)
        } catch {
          return .failure(error)
        }
      }
    }
  }
  var ok = 0
  var failed: [String] = []
  var total = 0
  for await outcome in group {
    switch outcome {
    case .success(let count):
      ok += 1
      total += count
    case .failure(let error): failed.append(error.description)
    }
  }
  return (ok, failed, total)
}
let wall = (clock.now - start)
let wallSeconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
let cpu = cpuSeconds() - cpuBefore
let sessions = hosts.count * perHost
func fmt(_ v: Double, _ digits: Int = 2) -> String {
  let p = pow(10.0, Double(digits))
  return String((v * p).rounded() / p)
}
print("| fleetports (libssh2) | \(hosts.count) | \(sessions) | \(succeeded) | \(fmt(wallSeconds)) s | \(fmt(cpu * 1000 / Double(sessions))) ms | \(fmt(peakRSSMegabytes(), 1)) MB | \(bytes / max(succeeded, 1)) B |")
for failure in failures.prefix(5) { FileHandle.standardError.write(Data("failure: \(failure)\n".utf8)) }
exit(failures.isEmpty ? 0 : 1)
