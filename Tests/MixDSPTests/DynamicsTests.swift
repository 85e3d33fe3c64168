import Foundation
import MixDSP
import MixTestSupport
import Testing

/// The static curve with a soft knee, written out independently of `GainComputer`
/// (Giannoulis, Massberg, Reiss 2012, eq. 4).
func referenceOutputDB(_ x: Double, threshold t: Double, ratio r: Double, knee w: Double) -> Double {
    if 2 * (x - t) < -w { return x }
    if w > 0, 2 * abs(x - t) <= w { return x + (1 / r - 1) * pow(x - t + w / 2, 2) / (2 * w) }
    return t + (x - t) / r
}

/// Runs a processor over planar stereo buffers in blocks and returns the output.
func run(_ processor: some AudioProcessor, left: [Float], right: [Float], blockFrameCount: Int = 512) -> ([Float], [Float]) {
    var left = left, right = right
    left.withUnsafeMutableBufferPointer { l in
        right.withUnsafeMutableBufferPointer { r in
            var offset = 0
            while offset < l.count {
                let count = min(blockFrameCount, l.count - offset)
                processor.process(AudioBlock(left: l.baseAddress! + offset, right: r.baseAddress! + offset, frameCount: count))
                offset += count
            }
        }
    }
    return (left, right)
}

@Suite("Dynamics: gain computer, compressor, de-esser")
struct DynamicsTests {
    static let rate = 48_000.0

    @Test("the gain computer's static curve matches the formula from −60 to 0 dB, knee included", arguments: [0.0, 6, 12])
    func staticCurve(kneeDB: Double) {
        let computer = GainComputer(thresholdDB: -24, ratio: 4, kneeDB: Float(kneeDB))
        for input in stride(from: -60.0, through: 0, by: 0.5) {
            let expected = referenceOutputDB(input, threshold: -24, ratio: 4, knee: kneeDB)
            #expect(abs(Double(computer.outputLevelDB(Float(input))) - expected) < 0.01, "\(input) dB")
        }
    }

    @Test("the compressor in steady state lands on the static curve within 0.1 dB", arguments: [0.0, 10])
    func compressorSteadyState(kneeDB: Double) throws {
        let compressor = try Compressor(.init(thresholdDB: -30, ratio: 3, kneeDB: kneeDB, attackMs: 5, releaseMs: 50))
        compressor.prepare(ProcessSpec(sampleRate: Self.rate, maxFrameCount: 512))
        for input in stride(from: -60.0, through: 0, by: 3) {
            compressor.reset()
            // A constant magnitude (DC) makes the peak level exactly the input level.
            let level = Float(pow(10, input / 20))
            let signal = [Float](repeating: level, count: 24_000)
            let (out, _) = run(compressor, left: signal, right: signal.map { -$0 })
            let outputDB = 20 * log10(Double(abs(out.last!)))
            let expected = referenceOutputDB(input, threshold: -30, ratio: 3, knee: kneeDB)
            #expect(abs(outputDB - expected) < 0.1, "input \(input) dB: \(outputDB) vs \(expected)")
            #expect(abs(Double(compressor.lastGainReduction.maxDB) - (input - expected)) < 0.1)
        }
    }

    /// Gain reduction (dB) per sample of a compressor fed a level step, from its output.
    private func reductionAfterStep(from a: Double, to b: Double, attackMs: Double, releaseMs: Double) throws -> [Double] {
        let compressor = try Compressor(.init(thresholdDB: -40, ratio: 4, kneeDB: 0, attackMs: attackMs, releaseMs: releaseMs))
        compressor.prepare(ProcessSpec(sampleRate: Self.rate, maxFrameCount: 512))
        let first = [Float](repeating: Float(pow(10, a / 20)), count: 96_000)
        let second = [Float](repeating: Float(pow(10, b / 20)), count: 96_000)
        let input = first + second
        let (out, _) = run(compressor, left: input, right: input)
        return zip(out[96_000...], input[96_000...]).map { -20 * log10(Double($0) / Double($1)) }
    }

    /// Samples until `values` first covers `share` of the way from its start to its end.
    private func crossing(_ values: [Double], share: Double) -> Double {
        let start = values[0] < values.last! ? 7.5 : 22.5  // the steady reductions before the step
        let end = values.last!
        let target = start + share * (end - start)
        let index = values.firstIndex { end > start ? $0 >= target : $0 <= target }!
        return Double(index + 1)
    }

    @Test("attack and release are time constants: 63.2 % of a step in gain reduction (dB) takes that long, ±5 %",
          arguments: [(5.0, 80.0), (20.0, 300.0), (1.0, 40.0)])
    func timeConstants(attackMs: Double, releaseMs: Double) throws {
        // −30 → −10 dBFS with threshold −40, ratio 4: reduction 7.5 → 22.5 dB, and back.
        let attack = try reductionAfterStep(from: -30, to: -10, attackMs: attackMs, releaseMs: releaseMs)
        let measuredAttack = crossing(attack, share: 1 - exp(-1)) / Self.rate * 1000
        #expect(abs(measuredAttack / attackMs - 1) < 0.05, "attack \(measuredAttack) ms")
        let release = try reductionAfterStep(from: -10, to: -30, attackMs: attackMs, releaseMs: releaseMs)
        let measuredRelease = crossing(release, share: 1 - exp(-1)) / Self.rate * 1000
        #expect(abs(measuredRelease / releaseMs - 1) < 0.05, "release \(measuredRelease) ms")
    }

    @Test("makeup gain adds to the output after the ramp")
    func makeup() throws {
        let compressor = try Compressor(.init(thresholdDB: -10, ratio: 2, kneeDB: 0, makeupDB: 6))
        compressor.prepare(ProcessSpec(sampleRate: Self.rate, maxFrameCount: 512))
        let quiet = [Float](repeating: 0.01, count: 4800)
        let (out, _) = run(compressor, left: quiet, right: quiet)
        #expect(abs(20 * log10(Double(out.last! / 0.01)) - 6) < 0.01)
    }

    @Test("de-esser: a 7 kHz tone is cut by the reduction it reports; a 1 kHz tone passes within 0.1 dB")
    func deEsser() throws {
        let deEsser = try DeEsser(.init(thresholdDB: -30, ratio: 6, centerHz: 7000, maxReductionDB: 20))
        deEsser.prepare(ProcessSpec(sampleRate: Self.rate, maxFrameCount: 4800))
        let ess = SignalGenerator.sine(frequencyHz: 7000, sampleRate: Self.rate, frameCount: 48_000, amplitude: 0.5)
        let (out, _) = run(deEsser, left: ess, right: ess, blockFrameCount: 4800)
        let reported = Double(deEsser.lastGainReduction.meanDB)
        #expect(reported > 10, "a −6 dBFS sibilant far over a −30 dB threshold must be cut")
        let cut = -20 * log10(SineFit(out[43_200...], frequencyHz: 7000, sampleRate: Self.rate).amplitude / 0.5)
        #expect(abs(cut - reported) < 0.1, "cut \(cut) dB, reported \(reported) dB")

        deEsser.reset()
        let tone = SignalGenerator.sine(frequencyHz: 1000, sampleRate: Self.rate, frameCount: 48_000, amplitude: 0.5)
        let (passed, _) = run(deEsser, left: tone, right: tone, blockFrameCount: 4800)
        let change = 20 * log10(SineFit(passed[24_000...], frequencyHz: 1000, sampleRate: Self.rate).amplitude / 0.5)
        #expect(abs(change) < 0.1)
        #expect(deEsser.lastGainReduction.maxDB == 0)
    }

    @Test("settings out of range are refused with the field and the rule")
    func validation() {
        #expect(throws: SettingsError(field: "ratio", rule: "must be between 1 and 100 (got 0.5)")) {
            try Compressor(.init(ratio: 0.5))
        }
        #expect(throws: SettingsError(field: "bands[1].q", rule: "must be between 0.1 and 24 (got 0)")) {
            try Equalizer(.init(bands: [.init(.bell, frequencyHz: 100), .init(.bell, frequencyHz: 200, q: 0)]))
        }
        #expect(throws: SettingsError(field: "ceilingDBTP", rule: "must be between -20 and 0 dBTP (got 1)")) {
            try TruePeakLimiter(.init(ceilingDBTP: 1))
        }
        #expect(throws: SettingsError(field: "bitDepth", rule: "must be 16 or 24 (got 20)")) {
            try Dither(.init(bitDepth: 20))
        }
        #expect(throws: SettingsError.self) { try Saturator(.init(driveDB: .nan)) }
    }
}
