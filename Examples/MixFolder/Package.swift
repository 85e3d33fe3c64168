// swift-tools-version:6.1
import Foundation
import PackageDescription

/// Mixdown by version, as any package would take it. `MIXDOWN_PACKAGE_URL` says where it is
/// (a git URL or path; Mixdown's own tests point it at a tagged clone); without it, the
/// Mixdown checkout this example sits in, which then needs a version tag (`git tag 0.1.0`).
let mixdownURL = Context.environment["MIXDOWN_PACKAGE_URL"]
    ?? URL(fileURLWithPath: Context.packageDirectory).appendingPathComponent("../..").standardized.path

/// SwiftPM names a dependency after the last part of its location, without `.git`: the
/// checkout's folder name, whatever it is (`mixdown`, `mixdown-main`, …).
let mixdownPackage: String = {
    let last = mixdownURL.split(separator: "/").last.map(String.init) ?? "mixdown"
    return last.hasSuffix(".git") ? String(last.dropLast(4)) : last
}()

let package = Package(
    name: "MixFolder",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: mixdownURL, from: "0.1.0")
    ],
    targets: [
        .executableTarget(
            name: "mix-folder",
            dependencies: [.product(name: "MixEngine", package: mixdownPackage)],
            path: "Sources/MixFolder"
        )
    ]
)
