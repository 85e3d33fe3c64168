import Foundation
import MixAnalysis
import MixTestSupport
import Testing

@Suite("The loudness of a blend, from its parts (BlendLoudness)")
struct BlendLoudnessTests {
    /// Three streams like a mix's groups: a "lead" that sings in phrases (silent stretches the
    /// gates must leave out), a "double" that is the lead half-correlated with noise of its own
    /// (the cross terms matter), and a steady "beat"; 12 s at `rate`.
    static func groups(rate: Int) -> [(left: [Float], right: [Float])] {
        let count = 12 * rate
        let voice = SignalGenerator.sine(frequencyHz: 330, sampleRate: Double(rate), frameCount: count, amplitude: 0.3)
        let breath = SignalGenerator.noise(frameCount: count, amplitude: 0.05, seed: 3)
        let own = SignalGenerator.noise(frameCount: count, amplitude: 0.1, seed: 4)
        let kick = SignalGenerator.sine(frequencyHz: 55, sampleRate: Double(rate), frameCount: count, amplitude: 0.4)
        let hats = SignalGenerator.noise(frameCount: count, amplitude: 0.08, seed: 5)
        var lead = ([Float](repeating: 0, count: count), [Float](repeating: 0, count: count))
        var double = lead, beat = lead
        for i in 0..<count {
            // Phrases of 1.5 s with 1 s rests.
            let singing = (i % (5 * rate / 2)) < 3 * rate / 2
            let v = singing ? voice[i] + breath[i] : 0
            lead.0[i] = v
            lead.1[i] = v
            double.0[i] = 0.5 * v + (singing ? own[i] : 0)
            double.1[i] = 0.5 * v - (singing ? own[count - 1 - i] : 0)
            beat.0[i] = kick[i] + hats[i]
            beat.1[i] = kick[i] - hats[count - 1 - i]
        }
        return [lead, double, beat]
    }

    /// What a meter on the sum reads: the groups weighted by `gains` and added sample by sample.
    static func meteredSum(_ groups: [(left: [Float], right: [Float])], gains: [Double], rate: Int) -> Double? {
        let count = groups[0].left.count
        var left = [Float](repeating: 0, count: count), right = left
        for (group, gain) in zip(groups, gains) {
            for i in 0..<count {
                left[i] += Float(gain) * group.left[i]
                right[i] += Float(gain) * group.right[i]
            }
        }
        let meter = GatedLoudnessMeter(sampleRate: rate)
        meter.add(left: left, right: right, frameCount: count)
        return meter.integratedLUFS
    }

    /// The blend meter fed `groups` in blocks of odd sizes that cross the 100 ms steps anywhere.
    static func blend(_ groups: [(left: [Float], right: [Float])], rate: Int) -> BlendLoudness {
        let blend = BlendLoudness(streamCount: groups.count, sampleRate: rate, expectedFrameCount: groups[0].left.count)
        let lefts = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: groups.count)
        let rights = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: groups.count)
        defer {
            lefts.deallocate()
            rights.deallocate()
        }
        let storage = groups.map { group in
            (UnsafeMutableBufferPointer<Float>.allocate(capacity: group.left.count),
             UnsafeMutableBufferPointer<Float>.allocate(capacity: group.right.count))
        }
        defer { for (left, right) in storage { left.deallocate(); right.deallocate() } }
        for (index, group) in groups.enumerated() {
            _ = storage[index].0.initialize(from: group.left)
            _ = storage[index].1.initialize(from: group.right)
        }
        let sizes = [1, 4799, 4800, 1601, 13_000, 7, 9600]
        var offset = 0, turn = 0
        let total = groups[0].left.count
        while offset < total {
            let n = min(sizes[turn % sizes.count], total - offset)
            for index in groups.indices {
                lefts[index] = UnsafePointer(storage[index].0.baseAddress! + offset)
                rights[index] = UnsafePointer(storage[index].1.baseAddress! + offset)
            }
            blend.add(left: lefts, right: rights, frameCount: n)
            offset += n
            turn += 1
        }
        return blend
    }

    @Test("any gains read what a meter on the summed audio reads (within 0.01 LU), at 44.1, 48 and 96 kHz",
          arguments: [44_100, 48_000, 96_000])
    func equalsMeterOnTheSum(rate: Int) throws {
        let groups = Self.groups(rate: rate)
        let blend = Self.blend(groups, rate: rate)
        for gains in [[1.0, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1], [1, 0.3, 0.7], [0.5, 2, 0.1], [1, -1, 0.25]] {
            let expected = try #require(Self.meteredSum(groups, gains: gains, rate: rate))
            let measured = try #require(blend.integratedLUFS(gains: gains))
            #expect(abs(measured - expected) <= 0.01, "gains \(gains): \(measured) LUFS, the summed audio \(expected)")
        }
        // One stream alone is its own loudness.
        #expect(blend.integratedLUFS(stream: 0) == blend.integratedLUFS(gains: [1, 0, 0]))
    }

    @Test("a stream's gain moves its own loudness by exactly the gain; correlated streams add as their sum, not their powers")
    func gainsAndCorrelation() throws {
        let rate = 48_000
        let blend = Self.blend(Self.groups(rate: rate), rate: rate)
        let lead = try #require(blend.integratedLUFS(stream: 0))
        let louder = try #require(blend.integratedLUFS(gains: [2, 0, 0]))
        #expect(abs(louder - lead - 20 * log10(2)) < 1e-6)
        // The lead twice over (perfectly correlated) is 6.02 dB up, where unrelated parts
        // would add 3.01: the cross terms are kept, not assumed away.
        let groups = Self.groups(rate: rate)
        let twice = Self.blend([groups[0], groups[0]], rate: rate)
        let both = try #require(twice.integratedLUFS(gains: [1, 1]))
        #expect(abs(both - lead - 20 * log10(2)) < 1e-6)
        #expect(twice.integratedLUFS(gains: [1, -1]) == nil)
        // Silence everywhere: no block passes the gates.
        #expect(blend.integratedLUFS(gains: [0, 0, 0]) == nil)
    }

    @Test("streams the meter was not made for read nothing: one stream alone is a plain meter")
    func oneStream() throws {
        let rate = 48_000
        let group = Self.groups(rate: rate)[2]
        let blend = Self.blend([group], rate: rate)
        let meter = GatedLoudnessMeter(sampleRate: rate)
        meter.add(left: group.left, right: group.right, frameCount: group.left.count)
        let expected = try #require(meter.integratedLUFS)
        let measured = try #require(blend.integratedLUFS(gains: [1]))
        #expect(abs(measured - expected) <= 0.01)
    }
}
