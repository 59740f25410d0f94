// swift-tools-version: 6.2
import PackageDescription

/// Settings every Swift target shares: Swift 6 language mode plus the upcoming
/// features that keep imports and existentials explicit (as swift-nio does).
let strictSettings: [SwiftSetting] = [
  .enableUpcomingFeature("MemberImportVisibility"),
  .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
  name: "fleetports",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "fleetports", targets: ["fleetports"]),
    .library(name: "FleetPortsCore", targets: ["FleetPortsCore"]),
    .library(name: "FleetPortsSSH", targets: ["FleetPortsSSH"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    // Policy files (YAML), read at the edge in FleetPortsScan.
    .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    // HTML report templates.
    .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    // Scan history: SQLite (Debian's libsqlite3-dev) through GRDB.
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    // `fleetports local`: the probe run through /bin/sh with a timeout and capped output.
    // 1.0 needs tools version 6.2; its default trait (SubprocessFoundation) is left on.
    .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
    // Subprocess names executables by FilePath; already a dependency of swift-subprocess.
    .package(url: "https://github.com/apple/swift-system", from: "1.5.0"),
    // A shared history (`--db postgresql://…`): PostgreSQL's wire protocol, TLS through NIOSSL.
    .package(url: "https://github.com/vapor/postgres-nio", exact: "1.33.2"),
    // Named here only because FleetPortsPostgres imports them (postgres-nio depends on them already).
    .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
  ],
  targets: [
    // libssh2 from Debian's libssh2-1-dev, found through pkg-config.
    .systemLibrary(
      name: "CLibSSH2",
      pkgConfig: "libssh2",
      providers: [.apt(["libssh2-1-dev"])]
    ),
    // epoll/eventfd and libssh2's function-like macros, as C functions Swift can call.
    .target(
      name: "CFleetShims",
      dependencies: ["CLibSSH2"],
      cSettings: [.define("_GNU_SOURCE")],
      linkerSettings: [.linkedLibrary("crypto")]
    ),
    // libssh2 sessions driven by one epoll reactor thread: connect, host keys, auth, exec.
    .target(
      name: "FleetPortsSSH",
      dependencies: ["FleetPortsCore", "CLibSSH2", "CFleetShims"],
      swiftSettings: strictSettings
    ),
    // The scan frontend: inputs loaded and checked, the probe run over SSH or locally across many
    // hosts, then analysis, the history and the reports (ScanSession), so commands stay thin.
    .target(
      name: "FleetPortsScan",
      dependencies: [
        "FleetPortsCore", "FleetPortsSSH", "FleetPortsReport", "FleetPortsStore", "FleetPortsFiles", "CFleetShims",
        .product(name: "Yams", package: "Yams"),
        .product(name: "Subprocess", package: "swift-subprocess"),
        .product(name: "SystemPackage", package: "swift-system"),
      ],
      swiftSettings: strictSettings
    ),
    // Renderers: terminal text, HTML, Markdown, SARIF, JUnit; scan.json files read and written.
    .target(
      name: "FleetPortsReport",
      dependencies: ["FleetPortsCore", "FleetPortsFiles", .product(name: "Mustache", package: "swift-mustache")],
      // Templates/*.mustache are the source; tools/embed-templates.py compiles them in, so an
      // installed binary needs no resource bundle.
      exclude: ["Templates"],
      swiftSettings: strictSettings
    ),
    // Scan history: every scan in one SQLite database (reports/fleetports.db), for diff, history, prune.
    .target(
      name: "FleetPortsStore",
      dependencies: [
        "FleetPortsCore", "FleetPortsFiles", .product(name: "GRDB", package: "GRDB.swift"),
        // SQLite's incremental blob I/O (scan.json written into its row without a copy), which GRDB does not wrap.
        .product(name: "GRDBSQLite", package: "GRDB.swift"),
      ],
      swiftSettings: strictSettings
    ),
    // The shared scan history in PostgreSQL (`--db postgresql://…`): the same model and migrations
    // as FleetPortsStore, kept apart so Core and the SQLite store stay free of SwiftNIO.
    .target(
      name: "FleetPortsPostgres",
      dependencies: [
        "FleetPortsCore", "FleetPortsStore", .product(name: "PostgresNIO", package: "postgres-nio"),
        .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"), .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strictSettings
    ),
    // The one rule for fleetports' own files (reports, history): folders 0700 of this user.
    .target(
      name: "FleetPortsFiles",
      swiftSettings: strictSettings
    ),
    // Pure logic: the model, every parser, analysis. No sockets, files or clocks.
    .target(
      name: "FleetPortsCore",
      swiftSettings: strictSettings
    ),
    // The command line: thin commands over the libraries.
    .executableTarget(
      name: "fleetports",
      dependencies: [
        "FleetPortsCore",
        "FleetPortsSSH",
        "FleetPortsScan",
        "FleetPortsReport",
        "FleetPortsStore",
        "FleetPortsPostgres",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      swiftSettings: strictSettings
    ),
    // Parser throughput on generated inputs; run in release by `make bench`.
    .executableTarget(
      name: "fleetports-bench",
      dependencies: ["FleetPortsCore", "FleetPortsReport"],
      path: "Benchmarks/ParserBench",
      swiftSettings: strictSettings
    ),
    // The history: storing a 1,000-host scan in SQLite and PostgreSQL, merging 4 shards; `make bench`.
    .executableTarget(
      name: "fleetports-history-bench",
      dependencies: ["FleetPortsCore", "FleetPortsStore", "FleetPortsPostgres"],
      path: "Benchmarks/HistoryBench",
      swiftSettings: strictSettings
    ),
    // Transport throughput on the lab; run in release by `make bench`.
    .executableTarget(
      name: "fleetports-ssh-bench",
      dependencies: ["FleetPortsSSH"],
      path: "Benchmarks/SSHBench",
      swiftSettings: strictSettings
    ),
    // LabSupport for its ChildProcess runner (the probe under dash, bash and busybox); it is
    // light (Foundation and Testing) and its lab parts are unused here.
    .testTarget(
      name: "FleetPortsCoreTests",
      dependencies: ["FleetPortsCore", "LabSupport"],
      resources: [.copy("Fixtures")],
      swiftSettings: strictSettings
    ),
    // Test-side access to the lab fleet (lab/): truth, inventory, ssh files, the `.labFleet`
    // trait; and ChildProcess, the one way tests run a program.
    .target(
      name: "LabSupport",
      dependencies: ["FleetPortsCore"],
      path: "Tests/LabSupport",
      swiftSettings: strictSettings
    ),
    // Parsers against the real lab hosts (root, `make test` brings the lab up).
    .testTarget(
      name: "FleetPortsLabTests",
      dependencies: ["FleetPortsCore", "LabSupport"],
      swiftSettings: strictSettings
    ),
    // The transport against real sshd on the lab hosts.
    .testTarget(
      name: "FleetPortsSSHTests",
      dependencies: ["FleetPortsSSH", "FleetPortsCore", "LabSupport"],
      swiftSettings: strictSettings
    ),
    // Whole scans of the lab, through the library and the built command.
    .testTarget(
      name: "FleetPortsScanTests",
      dependencies: ["FleetPortsScan", "FleetPortsSSH", "FleetPortsCore", "FleetPortsReport", "FleetPortsStore", "LabSupport"],
      swiftSettings: strictSettings
    ),
    .testTarget(
      name: "FleetPortsReportTests",
      dependencies: ["FleetPortsReport", "FleetPortsCore", "LabSupport"],
      resources: [.copy("Fixtures")],
      swiftSettings: strictSettings
    ),
    .testTarget(
      name: "FleetPortsStoreTests",
      dependencies: ["FleetPortsStore", "FleetPortsCore", "FleetPortsReport", "FleetPortsFiles", "LabSupport"],
      swiftSettings: strictSettings
    ),
    // The shared history against a real PostgreSQL 15 started by the tests (LabSupport.LocalPostgres).
    .testTarget(
      name: "FleetPortsPostgresTests",
      dependencies: ["FleetPortsPostgres", "FleetPortsStore", "FleetPortsCore", "FleetPortsReport", "FleetPortsFiles", "LabSupport"],
      swiftSettings: strictSettings
    ),
    .testTarget(
      name: "CLibSSH2Tests",
      dependencies: ["CLibSSH2"],
      swiftSettings: strictSettings
    ),
  ],
  swiftLanguageModes: [.v6]
)
