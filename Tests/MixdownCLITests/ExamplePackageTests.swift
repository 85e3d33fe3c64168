import Foundation
import MixEngine
import MixTesting
import Testing

/// `Examples/MixFolder`, a package that depends on Mixdown by version, built as a stranger would
/// build it: against a tagged clone, without the environment `./mixdown` and the scripts set.
@Suite("the example package, depending on Mixdown by version")
struct ExamplePackageTests {
    @Test("builds against a tagged clone (no unsafe flags reach it) and mixes a folder to the recipe's target")
    func buildsAndMixes() throws {
        let root = Corpus.repositoryRoot
        guard FileManager.default.fileExists(atPath: root.appendingPathComponent(".git").path) else {
            print("ExamplePackageTests: skipped: \(root.path) is not a git checkout, so there is nothing to tag")
            return
        }
        let work = try TemporaryDirectory()
        // The committed tree, tagged the way a release would be (its own tags left behind: an
        // older or later version tag must not be the one the example builds against).
        let clone = work.file("mixdown-under-test")
        try git(["clone", "-q", "--no-hardlinks", "--no-tags", root.path, clone.path])
        try git(["-C", clone.path, "tag", "0.1.0"])
        // The example, moved out of the clone: it finds Mixdown only through its URL and version.
        let example = work.file("MixFolder")
        try FileManager.default.copyItem(at: clone.appendingPathComponent("Examples/MixFolder"), to: example)

        var environment = ProcessInfo.processInfo.environment
        environment["MIXDOWN_PACKAGE_URL"] = clone.path
        let build = try ProcessRunner.run(
            "/usr/bin/env", ["swift", "build", "--package-path", example.path, "--product", "mix-folder"],
            environment: environment)
        #expect(build.status == 0, "swift build of the example failed:\n\(build.standardOutput)\n\(build.standardError)")
        guard build.status == 0 else { return }

        let session = work.file("session")
        try FileManager.default.createDirectory(at: session, withIntermediateDirectories: true)
        let rate = 48_000
        let voice = zip(
            SignalGenerator.sine(frequencyHz: 220, sampleRate: Double(rate), frameCount: 4 * rate, amplitude: 0.2),
            SignalGenerator.noise(frameCount: 4 * rate, amplitude: 0.05, seed: 3)
        ).map { $0 + $1 }
        let beat = SignalGenerator.noise(frameCount: 4 * rate, amplitude: 0.3, seed: 7)
        try AudioFixture.write([voice], to: session.appendingPathComponent("Lead Vox.wav"), type: .wav(bits: 24), sampleRate: rate)
        try AudioFixture.write([beat, beat], to: session.appendingPathComponent("Beat.wav"), type: .wav(bits: 24), sampleRate: rate)

        let output = work.file("mix.wav")
        let binary = example.appendingPathComponent(".build/debug/mix-folder").path
        let mix = try ProcessRunner.run(binary, [session.path, output.path, "loud"], environment: environment)
        #expect(mix.status == 0, "mix-folder failed: \(mix.standardError)")
        #expect(mix.standardOutput.contains("Lead Vox.wav: lead"), "\(mix.standardOutput)")

        // The summary the library wrote beside the mix: on the loud recipe's target, under its ceiling.
        let recipe = try PresetLibrary.load().recipe(named: "loud")
        let summaryData = try Data(contentsOf: work.file("mix.summary.json"))
        let summary = try JSONSerialization.jsonObject(with: summaryData) as! [String: Any]
        let integrated = try #require(summary["integrated_lufs"] as? Double)
        let truePeak = try #require(summary["true_peak_dbtp"] as? Double)
        #expect(abs(integrated - recipe.targetLUFS) <= 0.2, "integrated \(integrated)")
        #expect(truePeak <= recipe.ceilingDBTP + 0.05, "true peak \(truePeak)")
        let decoded = try AudioFixture.read(output)
        #expect(decoded.channels.count == 2 && decoded.sampleRate == rate && decoded.channels[0].count == 4 * rate)
    }

    private func git(_ arguments: [String]) throws {
        let result = try ProcessRunner.run("/usr/bin/env", ["git"] + arguments)
        guard result.status == 0 else {
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "git \(arguments.joined(separator: " ")): \(result.standardError)"])
        }
    }
}
