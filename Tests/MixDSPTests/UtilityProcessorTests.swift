import Foundation
import MixDSP
import MixTestSupport
import Testing

@Suite("Gain, air, width, dither")
struct UtilityProcessorTests {
    static let spec = ProcessSpec(sampleRate: 48_000, maxFrameCount: 512)

    @Test("gain: exact when steady; a change ramps over 20 ms without overshoot")
    func gain() throws {
        let gain = try Gain(.init(gainDB: -6))
        gain.prepare(Self.spec)
        let ones = [Float](repeating: 1, count: 4800)
        let (steady, _) = run(gain, left: ones, right: ones)
        #expect(steady.allSatisfy { $0 == Float(pow(10, -6.0 / 20)) })
        try gain.update(.init(gainDB: 0))
        let (ramp, _) = run(gain, left: ones, right: ones)
        #expect(zip(ramp, ramp.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(ramp[958] < 1 && ramp[960] == 1)
    }

    @Test("air is the RBJ high shelf it describes, at the rate it runs at", arguments: [44_100.0, 48_000, 96_000])
    func air(rate: Double) throws {
        let air = try Air(.init(frequencyHz: 11_000, gainDB: 3))
        air.prepare(ProcessSpec(sampleRate: rate, maxFrameCount: 512))
        let expected = BiquadCoefficients.highShelf(cutoffHz: 11_000, q: 0.5, gainDB: 3, sampleRate: rate)
        #expect(air.coefficients(sampleRate: rate) == expected)
        for f in [1000.0, 11_000, 16_000] {
            air.reset()
            let sine = SignalGenerator.sine(frequencyHz: f, sampleRate: rate, frameCount: Int(rate), amplitude: 0.3)
            let (out, _) = run(air, left: sine, right: sine)
            let half = Int(rate) / 2
            let measured = 20 * log10(SineFit(out[half...], frequencyHz: f, sampleRate: rate).amplitude / 0.3)
            #expect(abs(measured - magnitudeDB(expected, frequencyHz: f, sampleRate: rate)) < 0.1)
        }
    }

    @Test("width: 1 leaves the image alone, 0 folds it to mono, 2 doubles the side")
    func width() throws {
        let left = SignalGenerator.noise(frameCount: 4800, amplitude: 0.5, seed: 1)
        let right = SignalGenerator.noise(frameCount: 4800, amplitude: 0.5, seed: 2)
        typealias Check = (Float, Float, Float, Float) -> Bool
        let unchanged: Check = { l, r, ol, or in abs(ol - l) < 1e-6 && abs(or - r) < 1e-6 }
        let mono: Check = { l, r, ol, or in abs(ol - (l + r) / 2) < 1e-6 && ol == or }
        let doubled: Check = { l, r, ol, or in abs((ol - or) - 2 * (l - r)) < 1e-5 && abs((ol + or) - (l + r)) < 1e-5 }
        for (width, check) in [(1.0, unchanged), (0.0, mono), (2.0, doubled)] {
            let widener = try StereoWidener(.init(width: width))
            widener.prepare(Self.spec)
            let (outLeft, outRight) = run(widener, left: left, right: right)
            for i in 0..<4800 { #expect(check(left[i], right[i], outLeft[i], outRight[i]), "width \(width) frame \(i)") }
        }
    }

    @Test("dither: every output on the 16-bit grid, TPDF error of 0.5 LSB RMS with no bias, repeatable", arguments: [16, 24])
    func dither(bits: Int) throws {
        let dither = try Dither(.init(bitDepth: bits))
        dither.prepare(Self.spec)
        let lsb = 1 / Double(1 << (bits - 1))
        // Near full scale: 24-bit codes reach 2²³ there, where rounding tricks for floats fail.
        let input = SignalGenerator.sine(frequencyHz: 997, sampleRate: 48_000, frameCount: 48_000, amplitude: 0.95)
        let (out, _) = run(dither, left: input, right: input)
        #expect(out.allSatisfy { (Double($0) / lsb).rounded() == Double($0) / lsb })
        let errors = zip(out, input).map { Double($0) - Double($1) }
        let mean = errors.reduce(0, +) / Double(errors.count)
        let rms = (errors.reduce(0) { $0 + $1 * $1 } / Double(errors.count)).squareRoot()
        #expect(abs(mean) < 0.02 * lsb)
        #expect(abs(rms / lsb - 0.5) < 0.025, "error RMS \(rms / lsb) LSB")
        dither.reset()
        let (again, _) = run(dither, left: input, right: input)
        #expect(again == out)
    }

    @Test("dither never exceeds the integer range at full scale")
    func ditherClips() throws {
        let dither = try Dither(.init(bitDepth: 16))
        dither.prepare(Self.spec)
        let (out, _) = run(dither, left: [Float](repeating: 1, count: 512), right: [Float](repeating: -1, count: 512))
        #expect(out.allSatisfy { $0 <= 32767.0 / 32768 })
    }
}
