import Foundation
import MixAnalysis
import MixTestSupport
import Testing

@Suite("Gated loudness (the render's own BS.1770 meter) against libebur128")
struct GatedLoudnessMeterTests {
    /// A music-like test signal: tones and noise bursts over 30 s, with quiet stretches and
    /// a silent gap, so both gates matter; left and right differ.
    static func signal(rate: Int, seconds: Int = 30) -> (left: [Float], right: [Float]) {
        let count = rate * seconds
        let noise = SignalGenerator.noise(frameCount: count, amplitude: 0.3, seed: 11)
        var left = [Float](repeating: 0, count: count), right = left
        for i in 0..<count {
            let t = Double(i) / Double(rate)
            let section = Int(t / 2.5) % 4
            let level = [1.0, 0.25, 0.03, 0.6][section] * (t > 12 && t < 15 ? 0 : 1)
            let tone = 0.4 * sin(2 * Double.pi * 110 * t) + 0.2 * sin(2 * Double.pi * 2500 * t)
            left[i] = Float(level * tone) + noise[i] * Float(level)
            right[i] = Float(level * 0.7 * sin(2 * Double.pi * 330 * t)) + noise[(i + 999) % count] * Float(level) * 0.5
        }
        return (left, right)
    }

    static func reference(_ left: [Float], _ right: [Float], rate: Int) -> LoudnessMeter {
        let meter = LoudnessMeter(channelCount: 2, sampleRate: rate, measures: [.integrated, .shortTerm])!
        SignalGenerator.interleave([left, right]).withUnsafeBufferPointer {
            meter.add(interleaved: $0.baseAddress!, frameCount: left.count)
        }
        return meter
    }

    @Test("integrated, momentary and short-term within 0.02 LU of libebur128", arguments: [44_100, 48_000, 96_000])
    func matchesLibebur128(rate: Int) {
        let (left, right) = Self.signal(rate: rate)
        let meter = GatedLoudnessMeter(sampleRate: rate)
        // Odd block sizes: the meter's 100 ms steps must not depend on how audio arrives.
        var offset = 0, step = 1
        left.withUnsafeBufferPointer { l in
            right.withUnsafeBufferPointer { r in
                while offset < left.count {
                    let n = min(step, left.count - offset)
                    meter.add(left: l.baseAddress! + offset, right: r.baseAddress! + offset, frameCount: n)
                    offset += n
                    step = step * 7 % 8191 + 1
                }
            }
        }
        let reference = Self.reference(left, right, rate: rate)
        #expect(abs(meter.integratedLUFS! - reference.integratedLUFS!) <= 0.02)
        #expect(abs(meter.shortTermLUFS! - reference.shortTermLUFS!) <= 0.02)
        #expect(abs(meter.momentaryLUFS! - reference.momentaryLUFS!) <= 0.02)
    }

    @Test("EBU Tech 3341 case 1: a 1 kHz sine at −23 dBFS in both channels reads −23.0 LUFS")
    func tech3341Case1() {
        let amplitude = pow(10, -23.0 / 20)
        let sine = SignalGenerator.sine(frequencyHz: 1000, sampleRate: 48_000, frameCount: 48_000 * 20, amplitude: amplitude)
        let meter = GatedLoudnessMeter(sampleRate: 48_000)
        sine.withUnsafeBufferPointer { meter.add(left: $0.baseAddress!, right: $0.baseAddress!, frameCount: $0.count) }
        #expect(abs(meter.integratedLUFS! + 23) <= 0.1)
    }

    @Test("the relative gate: 20 s at −36 then 20 s at −23 dBFS reads as the loud part (Tech 3341 case 3 shape)")
    func relativeGate() {
        let rate = 48_000
        let quiet = SignalGenerator.sine(frequencyHz: 1000, sampleRate: Double(rate), frameCount: rate * 20, amplitude: pow(10, -36.0 / 20))
        let loud = SignalGenerator.sine(frequencyHz: 1000, sampleRate: Double(rate), frameCount: rate * 20, amplitude: pow(10, -23.0 / 20))
        let signal = quiet + loud
        let meter = GatedLoudnessMeter(sampleRate: rate)
        signal.withUnsafeBufferPointer { meter.add(left: $0.baseAddress!, right: $0.baseAddress!, frameCount: $0.count) }
        #expect(abs(meter.integratedLUFS! + 23) <= 0.1)
    }

    @Test("silence has no loudness")
    func silence() {
        let zeros = [Float](repeating: 0, count: 96_000)
        let meter = GatedLoudnessMeter(sampleRate: 48_000)
        zeros.withUnsafeBufferPointer { meter.add(left: $0.baseAddress!, right: $0.baseAddress!, frameCount: $0.count) }
        #expect(meter.integratedLUFS == nil && meter.momentaryLUFS == nil && meter.shortTermLUFS == nil)
    }
}

@Suite("Loudness so far (the frames' integrated, range): the render's own meter read at every frame")
struct LoudnessSoFarTests {
    /// Feeds `left`/`right` in blocks of `block` frames, calling `each` after every block.
    static func feed(_ meter: GatedLoudnessMeter, _ left: [Float], _ right: [Float], block: Int, each: () -> Void = {}) {
        left.withUnsafeBufferPointer { l in
            right.withUnsafeBufferPointer { r in
                var offset = 0
                while offset < left.count {
                    let n = min(block, left.count - offset)
                    meter.add(left: l.baseAddress! + offset, right: r.baseAddress! + offset, frameCount: n)
                    offset += n
                    each()
                }
            }
        }
    }

    @Test("the running integrated loudness equals the exact one at every frame (only the order of additions differs)")
    func runningIntegrated() {
        let (left, right) = GatedLoudnessMeterTests.signal(rate: 48_000)
        let meter = GatedLoudnessMeter(sampleRate: 48_000, measuresRange: true)
        var compared = 0
        Self.feed(meter, left, right, block: 1_600) {
            switch (meter.runningIntegratedLUFS, meter.integratedLUFS) {
            case (nil, nil): break
            case (let running?, let exact?):
                #expect(abs(running - exact) < 1e-9)
                compared += 1
            default: Issue.record("one reading is missing: \(String(describing: meter.runningIntegratedLUFS)) \(String(describing: meter.integratedLUFS))")
            }
        }
        #expect(compared > 800)
    }

    @Test("the loudness range (EBU Tech 3342) within 0.1 LU of libebur128's, at 44.1, 48 and 96 kHz", arguments: [44_100, 48_000, 96_000])
    func rangeMatchesLibebur128(rate: Int) {
        let (left, right) = GatedLoudnessMeterTests.signal(rate: rate, seconds: 40)
        let meter = GatedLoudnessMeter(sampleRate: rate, measuresRange: true)
        Self.feed(meter, left, right, block: 4_097)
        let reference = LoudnessMeter(channelCount: 2, sampleRate: rate, measures: [.integrated, .loudnessRange])!
        SignalGenerator.interleave([left, right]).withUnsafeBufferPointer {
            reference.add(interleaved: $0.baseAddress!, frameCount: left.count)
        }
        let range = meter.loudnessRangeLU!, expected = reference.loudnessRangeLU!
        #expect(expected > 5, "the signal has a range worth measuring (\(expected) LU)")
        // libebur128's histogram mode reads the percentiles off 0.1 LU bins; ours are 0.01 LU.
        #expect(abs(range - expected) <= 0.1, "\(range) vs libebur128's \(expected)")
    }

    @Test("no range before 3 s, none without the range histogram; a steady tone has a range near 0")
    func rangeEdges() {
        let tone = SignalGenerator.sine(frequencyHz: 1000, sampleRate: 48_000, frameCount: 48_000 * 10, amplitude: 0.2)
        let meter = GatedLoudnessMeter(sampleRate: 48_000, measuresRange: true)
        Self.feed(meter, Array(tone[..<(48_000 * 2)]), Array(tone[..<(48_000 * 2)]), block: 4_800)
        #expect(meter.loudnessRangeLU == nil)
        Self.feed(meter, Array(tone[(48_000 * 2)...]), Array(tone[(48_000 * 2)...]), block: 4_800)
        #expect(abs(meter.loudnessRangeLU! - 0) < 0.05)
        let plain = GatedLoudnessMeter(sampleRate: 48_000)
        Self.feed(plain, tone, tone, block: 4_800)
        #expect(plain.loudnessRangeLU == nil && plain.integratedLUFS != nil)
    }
}
