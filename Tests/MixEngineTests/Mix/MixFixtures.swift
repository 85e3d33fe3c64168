import Foundation
import MixAnalysis
@testable import MixEngine
import MixTesting

/// Sessions and renders shared by the mix tests (made once per test run).
enum MixFixtures {
    /// The synthesized demo session (lead, double, harmony, adlibs, beat; 21.9 s at 48 kHz).
    static let demo: TemporaryDirectory = {
        let folder = try! TemporaryDirectory(prefix: "mixdown-demo")
        _ = try! DemoSession.write(to: folder.url.appendingPathComponent("stems"))
        return folder
    }()

    static var demoStems: URL { demo.url.appendingPathComponent("stems") }

    static func inspect(_ folder: URL, roles: [String: Role] = [:], rate: Int? = nil) async throws -> SessionInspection {
        try await SessionInspector(rateOverrideHz: rate, roleOverrides: roles).inspect(folder: folder)
    }

    /// Renders `folder` into a new temporary folder.
    static func render(
        _ folder: URL, recipe: String = "balanced", format: OutputFormat = .wav24, basic: Bool = false,
        rate: Int? = nil, configure: (inout MixOptions) -> Void = { _ in }, skipInvalid: Bool = false
    ) async throws -> RenderedMix {
        var options = try MixOptions.standard(recipe: recipe)
        options.format = format
        options.basic = basic
        configure(&options)
        let output = try TemporaryDirectory(prefix: "mixdown-mix")
        let destination = MixRenderer.Destination(mixURL: output.file("mix.\(format.fileExtension)"))
        let inspection = try await inspect(folder, rate: rate)
        let summary = try MixRenderer(options: options, skipInvalid: skipInvalid).render(inspection, to: destination)
        return RenderedMix(summary: summary, destination: destination, output: output)
    }

    /// The demo, mixed with the balanced recipe (rendered once, shared by the tests).
    static func balanced() async throws -> RenderedMix {
        try await RenderCache.shared.value(for: "balanced") { try await render(demoStems) }
    }

    /// An independent reading of a written file: libebur128 loudness and an 8× FFT true peak.
    static func measure(_ url: URL) throws -> (integratedLUFS: Double, truePeakDBTP: Double, correlation: Double, channels: [[Float]]) {
        let (channels, rate) = try AudioFixture.read(url)
        let meter = LoudnessMeter(channelCount: channels.count, sampleRate: rate, measures: [.integrated])!
        let interleaved = SignalGenerator.interleave(channels)
        interleaved.withUnsafeBufferPointer { meter.add(interleaved: $0.baseAddress!, frameCount: channels[0].count) }
        let peak = channels.map { TruePeakScan.dBTP($0) }.max()!
        var (lr, ll, rr) = (0.0, 0.0, 0.0)
        for i in channels[0].indices {
            let (l, r) = (Double(channels[0][i]), Double(channels[1][i]))
            lr += l * r
            ll += l * l
            rr += r * r
        }
        return (meter.integratedLUFS!, peak, lr / (ll * rr).squareRoot(), channels)
    }
}

/// A finished render and where it went.
struct RenderedMix: Sendable {
    let summary: MixSummary
    let destination: MixRenderer.Destination
    /// Keeps the output folder alive while the render is used.
    let output: TemporaryDirectory
}

/// Renders made once and shared by the tests that read them.
actor RenderCache {
    static let shared = RenderCache()
    private var renders: [String: Task<RenderedMix, any Error>] = [:]

    func value(for key: String, make: @escaping @Sendable () async throws -> RenderedMix) async throws -> RenderedMix {
        if let task = renders[key] { return try await task.value }
        let task = Task { try await make() }
        renders[key] = task
        return try await task.value
    }
}
