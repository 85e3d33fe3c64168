// swift-tools-version:6.1
import PackageDescription

/// One settings list for every Swift target (STYLE.md): Swift 6 mode comes with the tools version.
/// No unsafe flags, so a package can depend on Mixdown by version: `./mixdown` and the scripts
/// build for the machine they run on from the command line (`-target-cpu native`, and
/// `-DMIXDOWN_FMA` where the CPU has fused multiply-add; see scripts/lib/setup.sh).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Mixdown",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "mixdown", targets: ["mixdown"]),
        .library(name: "MixEngine", targets: ["MixEngine"]),
        .library(name: "MixDSP", targets: ["MixDSP"]),
        .library(name: "MixAnalysis", targets: ["MixAnalysis"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
    ],
    targets: [
        // MARK: C libraries from Debian, through pkg-config
        .systemLibrary(name: "CSndFile", pkgConfig: "sndfile", providers: [.apt(["libsndfile1-dev"])]),
        .systemLibrary(name: "CSoxr", pkgConfig: "soxr", providers: [.apt(["libsoxr-dev"])]),
        .systemLibrary(name: "CEBUR128", pkgConfig: "libebur128", providers: [.apt(["libebur128-dev"])]),
        .systemLibrary(name: "CFFTW3", pkgConfig: "fftw3f", providers: [.apt(["libfftw3-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),

        // MARK: Layers, dependencies pointing inward
        .target(name: "MixDSP", swiftSettings: swiftSettings),
        .target(name: "MixAnalysis", dependencies: ["MixDSP", "CEBUR128", "CFFTW3"], swiftSettings: swiftSettings),
        .target(
            name: "MixEngine",
            dependencies: ["MixDSP", "MixAnalysis", "CSndFile", "CSoxr", "CZlib", "CZstd"],
            resources: [.copy("Resources/role_presets.json"), .copy("Resources/mix_recipes.json")],
            swiftSettings: swiftSettings
        ),
        // Jobs: the state machine (no I/O) and the SQLite store (GRDB) the service runs on.
        .target(
            name: "MixJobs",
            dependencies: [
                "MixEngine", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings),
        // The service: Hummingbird routes over the engine and the job store.
        .target(
            name: "MixServer",
            dependencies: [
                "MixEngine", "MixJobs",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Resources/openapi.json"), .copy("Resources/web")],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "mixdown",
            dependencies: ["MixEngine", "MixServer", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings
        ),
        // Benchmarks (scripts/bench): ns per frame and × realtime of each processor and chain.
        .executableTarget(
            name: "MixBench", dependencies: ["MixDSP", "MixAnalysis", "MixEngine"], path: "Benchmarks/MixBench",
            swiftSettings: swiftSettings),
        // The service under load (scripts/bench serve): jobs per minute, socket latency, upload.
        .executableTarget(
            name: "MixServeBench",
            dependencies: [
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/MixServeBench", swiftSettings: swiftSettings),
        // The realtime stream under load (scripts/bench live): 50 clients' rates, latency, CPU.
        .executableTarget(
            name: "MixLiveBench",
            dependencies: [
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            path: "Benchmarks/MixLiveBench", swiftSettings: swiftSettings),
        // Test support: counts allocations (its malloc family interposes glibc's in the test executable).
        .target(name: "CAllocationCounter", path: "Sources/CAllocationCounter"),
        // The DSP layers' test support needs none of the engine's C libraries (libsndfile, soxr,
        // zstd): MixDSP's and MixAnalysis's tests build and run without them.
        .target(
            name: "MixTestSupport", dependencies: ["MixDSP", "CFFTW3", "CAllocationCounter"], swiftSettings: swiftSettings),
        .target(name: "MixTesting", dependencies: ["MixEngine", "MixTestSupport"], swiftSettings: swiftSettings),

        // MARK: Tests, one target per library target
        .testTarget(name: "MixDSPTests", dependencies: ["MixDSP", "MixAnalysis", "MixTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "MixAnalysisTests", dependencies: ["MixAnalysis", "MixDSP", "MixTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "MixEngineTests",
            dependencies: ["MixEngine", "MixTesting", "CSndFile"],
            exclude: ["Golden"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MixServerTests",
            dependencies: [
                "MixServer", "MixJobs", "MixEngine", "MixAnalysis", "MixTesting",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            exclude: ["Golden", "Python"],
            swiftSettings: swiftSettings),
        .testTarget(name: "MixJobsTests", dependencies: ["MixJobs", "MixEngine", "MixTesting"], swiftSettings: swiftSettings),
        .testTarget(
            name: "MixdownCLITests", dependencies: ["MixTesting"], exclude: ["Golden"], swiftSettings: swiftSettings),
    ]
)
