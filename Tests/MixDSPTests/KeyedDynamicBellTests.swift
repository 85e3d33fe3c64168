import Foundation
import MixDSP
import MixTestSupport
import Testing

@Suite("Room for the lead: a bell cut on the beat, keyed by the lead (KeyedDynamicBell)")
struct KeyedDynamicBellTests {
    static let rate = 48_000.0

    /// Runs `bell` over `target` keyed by `key` (both mono, on both channels) in blocks of the
    /// sizes given in turn; returns the left output and each block's deepest cut.
    static func run(_ bell: KeyedDynamicBell, target: [Float], key: [Float], blocks: [Int] = [512]) -> (out: [Float], cuts: [Float]) {
        var left = target, right = target
        var cuts: [Float] = []
        left.withUnsafeMutableBufferPointer { l in
            right.withUnsafeMutableBufferPointer { r in
                key.withUnsafeBufferPointer { k in
                    var (offset, turn) = (0, 0)
                    while offset < l.count {
                        let n = min(blocks[turn % blocks.count], l.count - offset)
                        bell.process(
                            target: (l.baseAddress! + offset, r.baseAddress! + offset),
                            key: (k.baseAddress! + offset, k.baseAddress! + offset), frameCount: n)
                        cuts.append(bell.lastGainReduction.maxDB)
                        (offset, turn) = (offset + n, turn + 1)
                    }
                }
            }
        }
        #expect(left == right)
        return (left, cuts)
    }

    static func tone(_ amplitude: Double, seconds: Double = 1.5) -> [Float] {
        SignalGenerator.sine(frequencyHz: 2500, sampleRate: rate, frameCount: Int(seconds * rate), amplitude: amplitude)
    }

    @Test("the key silent: no cut, and the beat passes bit for bit")
    func silentKey() throws {
        let bell = try KeyedDynamicBell(.init(), sampleRate: Self.rate)
        let beat = SignalGenerator.noise(frameCount: 48_000, amplitude: 0.5, seed: 3)
        let (out, cuts) = Self.run(bell, target: beat, key: [Float](repeating: 0, count: 48_000))
        #expect(out == beat && cuts.allSatisfy { $0 == 0 })
    }

    @Test("steady key and beat in the band: the settled cut is half the beat's excess over (key − margin), capped; the bell's dip at its centre is that cut",
          arguments: [(0.1, 0.1, 3.0), (0.1, 0.05, 0.0), (0.1, 0.4, 5.0), (0.1, 0.2, 5.0)])
    func staticCurve(key: Double, beat: Double, expected: Double) throws {
        let bell = try KeyedDynamicBell(.init(maxReductionDB: 5, marginDB: 6), sampleRate: Self.rate)
        let (out, cuts) = Self.run(bell, target: Self.tone(beat), key: Self.tone(key))
        // Half of (beat − key + 6 dB), at most 5: 3, 0, 10 → 5, 6 → 5 (0.1/0.2: 6 + 6 = 12 → 6 → 5).
        #expect(abs(Double(cuts.last!) - expected) <= 0.05, "settled cut \(cuts.last!) dB")
        let tail = out.suffix(9600)
        let fitted = SineFit(tail, frequencyHz: 2500, sampleRate: Self.rate)
        let dipDB = 20 * log10(beat / fitted.amplitude)
        #expect(abs(dipDB - Double(cuts.last!)) <= 0.1, "dip \(dipDB) dB for a cut of \(cuts.last!) dB")
    }

    @Test("the cut never passes its limit, and releases to nothing once the key stops")
    func limitAndRelease() throws {
        let bell = try KeyedDynamicBell(.init(), sampleRate: Self.rate)
        // The key sings for a second, then is silent for two (the release, 150 ms, has ~0.9 s
        // to take 3 dB below a hundredth of a dB, where the bell becomes an identity).
        var key = Self.tone(0.1, seconds: 3)
        for i in 48_000..<key.count { key[i] = 0 }
        let beat = SignalGenerator.noise(frameCount: key.count, amplitude: 0.8, seed: 5)
        let (_, cuts) = Self.run(bell, target: beat, key: key, blocks: [480])
        #expect(cuts.allSatisfy { Double($0) <= 3 })
        #expect(cuts[50..<100].contains { $0 > 1 }, "no cut while the key sang")
        #expect(cuts.suffix(20).allSatisfy { $0 == 0 }, "still cutting \(cuts.suffix(20)) after the key stopped")
    }

    @Test("the output does not depend on how the signal is cut into blocks")
    func blockSizes() throws {
        let key = Self.tone(0.1), beat = SignalGenerator.noise(frameCount: 72_000, amplitude: 0.6, seed: 9)
        let reference = Self.run(try KeyedDynamicBell(.init(), sampleRate: Self.rate), target: beat, key: key, blocks: [4096]).out
        for blocks in [[1], [7, 33, 1000], [480]] {
            #expect(Self.run(try KeyedDynamicBell(.init(), sampleRate: Self.rate), target: beat, key: key, blocks: blocks).out == reference)
        }
    }
}
