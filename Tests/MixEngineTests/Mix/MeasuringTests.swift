import Foundation
@testable import MixEngine
import MixTesting
import Testing

@Suite("the measuring pass in parts")
struct MeasuringTests {
    /// 40 s of a loud, dynamic bus (beats and a sustained tone, a quiet bridge), spooled as
    /// interleaved floats, and a renderer for the balanced recipe over it.
    static func spooledBus(in folder: TemporaryDirectory) throws -> (Spool, MasterRenderer) {
        let rate = 48_000, count = rate * 40
        let noise = SignalGenerator.noise(frameCount: count, amplitude: 0.4, seed: 8)
        var interleaved = [Float](repeating: 0, count: 2 * count)
        for i in 0..<count {
            let t = Double(i) / Double(rate)
            let beat = Float(exp(-(t.truncatingRemainder(dividingBy: 0.5)) * 12))
            let level: Float = t > 20 && t < 26 ? 0.15 : 1
            let tone = Float(0.3 * sin(2 * Double.pi * 196 * t))
            interleaved[2 * i] = level * (beat * noise[i] + tone)
            interleaved[2 * i + 1] = level * (beat * noise[(i + 4801) % count] + 0.8 * tone)
        }
        let bus = try Spool(directory: folder.url, name: "bus")
        try interleaved.withUnsafeBytes { try bus.write($0.baseAddress!, count: $0.count) }
        let recipe = try PresetLibrary.load().recipe(named: "balanced")
        let clock = MeterClock(sampleRate: rate, framesPerSecond: 30, totalFrameCount: Int64(count))
        let master = MasterRenderer(
            recipe: recipe, format: .wav24, basic: false, clock: clock, layout: FrameLayout(trackCount: 1), capacity: 8192)
        return (bus, master)
    }

    @Test("one part reads what the single pass reads; two and three parts within 0.005 LU")
    func partsAgree() throws {
        let folder = try TemporaryDirectory()
        let (bus, master) = try Self.spooledBus(in: folder)
        // Pushed into the limiter, so its gain (and what the warm-up must settle) matters.
        let gainDB = 12.0
        let single = try master.run(gainDB: gainDB, bus: bus, output: nil, progress: { _ in }, isCancelled: { false })
        let reference = try #require(single.integratedLUFS)
        let one = try #require(try master.measureLoudness(gainDB: gainDB, bus: bus, partCount: 1, progress: { _ in }, isCancelled: { false }))
        // Only the order of the energy sums differs (blocks of another size).
        #expect(abs(one - reference) < 1e-9)
        for parts in [2, 3] {
            let measured = try #require(
                try master.measureLoudness(gainDB: gainDB, bus: bus, partCount: parts, progress: { _ in }, isCancelled: { false }))
            #expect(abs(measured - reference) <= 0.005, "\(parts) parts: \(measured) vs \(reference)")
        }
    }

    @Test("a cancel stops every part")
    func cancel() throws {
        let folder = try TemporaryDirectory()
        let (bus, master) = try Self.spooledBus(in: folder)
        #expect(throws: MixError.cancelled) {
            try master.measureLoudness(gainDB: 0, bus: bus, partCount: 2, progress: { _ in }, isCancelled: { true })
        }
    }
}
