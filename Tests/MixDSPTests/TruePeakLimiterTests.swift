import Foundation
import MixDSP
import MixTestSupport
import Testing

/// The limiter's ceiling, measured on its output by an independent 8× band-limited scan
/// (`TruePeakScan`: spectrum zero-padding, double precision; nothing shared with the limiter).
@Suite("True-peak limiter")
struct TruePeakLimiterTests {
    static let rate = 48_000.0
    static let ceiling = -1.0

    static func square(periodFrames: Int, count: Int = 48_000) -> [Float] {
        (0..<count).map { ($0 % periodFrames) < periodFrames / 2 ? 1 : -1 }
    }

    /// EBU Tech 3341 cases 15–19: a sine at fs/div with a start phase, 10 ms raised-cosine tapers.
    static func tech3341Sine(div: Double, amplitude: Double, phaseDegrees: Double) -> [Float] {
        let count = 48_000
        let taper = 480
        return (0..<count).map { n in
            var x = amplitude * sin(2 * Double.pi * Double(n) / div + phaseDegrees * Double.pi / 180)
            let edge = min(n, count - 1 - n)
            if edge < taper { x *= 0.5 - 0.5 * cos(Double.pi * Double(edge) / Double(taper)) }
            return Float(x)
        }
    }

    /// EBU Tech 3341 cases 20–23: an fs/6 sine of amplitude 0.5 holding one period of an fs/4
    /// sine of amplitude 1, made at 4·fs, low-passed (255-tap Kaiser(8) sinc at fs/2) and
    /// decimated from `offset`. Half a second around the burst is enough here.
    static func tech3341InterSample(offset: Int) -> [Float] {
        let up = 4
        let count = 24_000 * up
        let (low, high) = (1.0 / 24, 1.0 / 16)  // cycles per 4·fs sample
        let start = (count / 2 / 24) * 24
        var phase = 0.0
        var x = [Double](repeating: 0, count: count)
        for n in 0..<count {
            let inBurst = n >= start && n < start + 16
            x[n] = (inBurst ? 1.0 : 0.5) * sin(2 * Double.pi * phase)
            phase += inBurst ? high : low
        }
        let taps = 255, half = 127
        func i0(_ v: Double) -> Double {
            var sum = 1.0, term = 1.0, k = 1.0
            while term > 1e-17 * sum { term *= (v / (2 * k)) * (v / (2 * k)); sum += term; k += 1 }
            return sum
        }
        let h: [Double] = (0..<taps).map { k in
            let t = Double(k - half)
            let sinc = t == 0 ? 0.25 : sin(Double.pi * t / 4) / (Double.pi * t)
            let r = t / Double(half)
            return sinc * i0(8 * (1 - r * r).squareRoot()) / i0(8)
        }
        let sum = h.reduce(0, +)
        var out: [Float] = []
        var n = offset
        while n < count {
            var acc = 0.0
            for k in 0..<taps {
                let index = n + half - k
                if index >= 0 && index < count { acc += h[k] / sum * x[index] }
            }
            out.append(Float(acc))
            n += up
        }
        return out
    }

    static let signals: [(String, [Float])] = {
        var list: [(String, [Float])] = [
            ("square 100 Hz, full scale", square(periodFrames: 480)),
            ("square 1 kHz, full scale", square(periodFrames: 48)),
            ("square 6 kHz, full scale", square(periodFrames: 8)),
            ("fs/4 sine at 45°, +3 dBTP", tech3341Sine(div: 4, amplitude: 1.41, phaseDegrees: 45)),
            ("white noise 20 dB hot", SignalGenerator.noise(frameCount: 48_000, amplitude: 10, seed: 3)),
            // At the band-limit's edge, where the interpolator reads lowest.
            ("sine at 0.43 fs, 12 dB hot", tech3341Sine(div: 1 / 0.43, amplitude: 4, phaseDegrees: 30)),
            ("sine at 0.44 fs, 12 dB hot", tech3341Sine(div: 1 / 0.44, amplitude: 4, phaseDegrees: 30)),
            ("bursts at 0.42 fs, 12 dB hot", tech3341Sine(div: 1 / 0.42, amplitude: 4, phaseDegrees: 10).enumerated().map {
                $0.offset % 4800 < 400 ? $0.element : 0
            }),
        ]
        for (id, div, amplitude, phase) in [("15", 4.0, 0.5, 0.0), ("16", 4, 0.5, 45), ("17", 6, 0.5, 60), ("18", 8, 0.5, 67.5), ("19", 4, 1.41, 45)] {
            list.append(("EBU 3341-\(id), 12 dB hot", tech3341Sine(div: div, amplitude: amplitude, phaseDegrees: phase).map { $0 * 4 }))
        }
        for (offset, id) in ["20", "21", "22", "23"].enumerated() {
            list.append(("EBU 3341-\(id), 12 dB hot", tech3341InterSample(offset: offset).map { $0 * 4 }))
        }
        return list
    }()

    @Test("output true peak ≤ ceiling + 0.05 dB, and the limiter does not squash far below it",
          arguments: signals.map(\.0))
    func ceiling(name: String) throws {
        let input = Self.signals.first { $0.0 == name }!.1
        let limiter = try TruePeakLimiter(.init(ceilingDBTP: Self.ceiling, lookaheadMs: 1.5, releaseMs: 100))
        limiter.prepare(ProcessSpec(sampleRate: Self.rate, maxFrameCount: 512))
        // Silence after the signal lets the limiter see its end, as a file's end is seen.
        let padded = input + [Float](repeating: 0, count: 4096)
        let (left, right) = run(limiter, left: padded, right: padded.map { $0 * 0.9 })
        let peak = max(TruePeakScan.dBTP(left), TruePeakScan.dBTP(right))
        #expect(peak <= Self.ceiling + 0.05, "\(name): \(peak) dBTP")
        #expect(peak >= Self.ceiling - 0.5, "\(name): \(peak) dBTP: limited far below the ceiling")
        #expect(limiter.latencyFrames > 0)
    }

    @Test("a signal under the ceiling passes at its level, delayed by the latency, with no gain reduction",
          arguments: [440.0, 5000, 18_000])
    func transparentBelowCeiling(frequencyHz: Double) throws {
        let limiter = try TruePeakLimiter(.init(ceilingDBTP: -1))
        limiter.prepare(ProcessSpec(sampleRate: Self.rate, maxFrameCount: 512))
        let input = SignalGenerator.sine(frequencyHz: frequencyHz, sampleRate: Self.rate, frameCount: 24_000, amplitude: 0.5)
        let (out, _) = run(limiter, left: input, right: input)
        let latency = limiter.latencyFrames
        let fit = SineFit(out[(latency + 4800)...], frequencyHz: frequencyHz, sampleRate: Self.rate)
        #expect(abs(20 * log10(fit.amplitude / 0.5)) < 0.001)
        #expect(fit.thdPlusNoiseDB < -90)
        #expect(out[..<latency].allSatisfy { $0 == 0 })
        #expect(limiter.lastGainReduction.maxDB == 0)
    }

    @Test("at rest the limiter passes blocks straight through, leaving the state the gain curve would: the same bits in any block size")
    func atRestEqualsGainCurve() throws {
        // Quiet, a hot burst, its release, quiet again, another burst: blocks of every kind.
        let quiet = SignalGenerator.sine(frequencyHz: 330, sampleRate: Self.rate, frameCount: 9_600, amplitude: 0.3)
        let hot = SignalGenerator.sine(frequencyHz: 2_000, sampleRate: Self.rate, frameCount: 2_400, amplitude: 2)
        let input = quiet + hot + quiet + quiet + hot.prefix(700) + quiet
        var outputs: [[Float]] = []
        for blockFrameCount in [1, 7, 64, 512, 4096] {
            let limiter = try TruePeakLimiter(.init(ceilingDBTP: -1, lookaheadMs: 1.5, releaseMs: 20))
            limiter.prepare(ProcessSpec(sampleRate: Self.rate, maxFrameCount: 4096))
            outputs.append(run(limiter, left: input, right: input.map { -$0 }, blockFrameCount: blockFrameCount).0)
        }
        for output in outputs.dropFirst() { #expect(output == outputs[0]) }
        // The quiet stretch long after the first burst passes at unity gain.
        let start = 9_600 + 2_400 + 9_000
        let fit = SineFit(outputs[0][start..<(start + 4_800)], frequencyHz: 330, sampleRate: Self.rate)
        #expect(abs(20 * log10(fit.amplitude / 0.3)) < 0.001)
    }

    @Test("unprepared, it refuses to run (like every processor) rather than pass the audio through unlimited")
    func refusesToRunUnprepared() async throws {
        await #expect(processExitsWith: .failure) {
            let limiter = try TruePeakLimiter(.init(ceilingDBTP: -1))
            var left = [Float](repeating: 2, count: 64), right = left
            left.withUnsafeMutableBufferPointer { l in
                right.withUnsafeMutableBufferPointer { r in
                    limiter.process(AudioBlock(left: l.baseAddress!, right: r.baseAddress!, frameCount: 64))
                }
            }
        }
    }
}
