import Foundation
@testable import MixDSP
@testable import MixEngine
import MixTesting
import Testing

/// The master is one chain in the recipe's order; the render runs it in parts (the head in
/// pass 1, gain → limiter and dither in each master pass). These pin that the parts are the
/// chain: run in parts, in order, it gives the bits it gives in one go.
@Suite("The master chain")
struct MasterChainTests {
    static let rate = 48_000.0
    static let frameCount = 48_000

    /// A loud two-channel signal the limiter and the bus compressor both work on.
    static func signal() -> ([Float], [Float]) {
        // Seeded: the same signal every run.
        let noise = SignalGenerator.noise(frameCount: frameCount, amplitude: 0.3, seed: 17)
        let left = (0..<frameCount).map { i in Float(0.6 * sin(2 * Double.pi * 110 * Double(i) / rate)) + noise[i] }
        let right = left.enumerated().map { i, x in 0.8 * x + Float(0.2 * sin(2 * Double.pi * 3_000 * Double(i) / rate)) }
        return (left, right)
    }

    static func run(_ chain: MasterChain, _ left: inout [Float], _ right: inout [Float], parts: [(MasterChain.Stage, MasterChain.Stage)]) {
        left.withUnsafeMutableBufferPointer { l in
            right.withUnsafeMutableBufferPointer { r in
                var start = 0
                while start < frameCount {
                    let n = min(1_024, frameCount - start)
                    let block = AudioBlock(left: l.baseAddress! + start, right: r.baseAddress! + start, frameCount: n)
                    for (first, last) in parts { chain.process(block, from: first, through: last) }
                    start += n
                }
            }
        }
    }

    @Test("run in the render's parts, the chain gives the bits it gives in one go", arguments: ["balanced", "loud", "warm"])
    func partsAreTheChain(recipeName: String) throws {
        let recipe = try PresetLibrary.load().recipe(named: recipeName)
        let spec = ProcessSpec(sampleRate: Self.rate, maxFrameCount: 1_024)
        let (left, right) = Self.signal()
        var (wholeLeft, wholeRight) = (left, right)
        Self.run(try MasterChain(recipe: recipe, basic: false, gainDB: 9, bitDepth: 24, spec: spec), &wholeLeft, &wholeRight,
                 parts: [(.equalizer, .dither)])
        var (partsLeft, partsRight) = (left, right)
        Self.run(try MasterChain(recipe: recipe, basic: false, gainDB: 9, bitDepth: 24, spec: spec), &partsLeft, &partsRight,
                 parts: [(.equalizer, .width), (.gain, .limiter), (.dither, .dither)])
        #expect(wholeLeft.map(\.bitPattern) == partsLeft.map(\.bitPattern))
        #expect(wholeRight.map(\.bitPattern) == partsRight.map(\.bitPattern))
        // And the chain did work: 9 dB of gain into the limiter brought the peaks down to it.
        #expect(wholeLeft != left)
    }

    @Test("the stages run in the recipe's order: the limiter comes after the gain, so the gain cannot break its ceiling")
    func limiterAfterGain() throws {
        let recipe = try PresetLibrary.load().recipe(named: "balanced")
        let spec = ProcessSpec(sampleRate: Self.rate, maxFrameCount: 1_024)
        let chain = try MasterChain(recipe: recipe, basic: false, gainDB: 24, bitDepth: 24, spec: spec)
        var (left, right) = Self.signal()
        Self.run(chain, &left, &right, parts: [(.equalizer, .limiter)])
        // Past the look-ahead's start-up, the 8× scan of the output stays at the ceiling.
        let skip = chain.latencyFrames
        let peak = max(TruePeakScan.dBTP(Array(left[skip...])), TruePeakScan.dBTP(Array(right[skip...])))
        #expect(peak <= recipe.ceilingDBTP + 0.05, "peak \(peak) dBTP over the ceiling \(recipe.ceilingDBTP)")
    }

    @Test("the basic mix's chain has only the gain and the dither")
    func basicChain() throws {
        let recipe = try PresetLibrary.load().recipe(named: "balanced")
        let chain = try MasterChain(
            recipe: recipe, basic: true, gainDB: -6, bitDepth: 24, spec: ProcessSpec(sampleRate: Self.rate, maxFrameCount: 1_024))
        #expect(chain.equalizer == nil && chain.busCompressor == nil && chain.widener == nil && chain.limiter == nil)
        #expect(chain.latencyFrames == 0)
        var (left, right) = Self.signal()
        let input = left
        Self.run(chain, &left, &right, parts: [(.equalizer, .limiter)])
        #expect(zip(left, input).allSatisfy { $0 == $1 * Float(Decibels.toAmplitude(-6)) })
    }
}
