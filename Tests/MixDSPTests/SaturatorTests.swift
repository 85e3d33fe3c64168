import Foundation
import MixAnalysis
import MixDSP
import MixTestSupport
import Testing

@Suite("Saturator and its oversampler")
struct SaturatorTests {
    static let rate = 48_000.0

    @Test("the elliptic half-band design: flat to 0.22 of the oversampled rate, −90 dB from 0.28")
    func halfbandDesign() {
        let coefficients = HalfbandAllpassDesign.coefficients(count: 8, transitionWidth: 0.03)
        for f in stride(from: 0.0, through: 0.22, by: 0.005) {
            #expect(abs(20 * log10(HalfbandAllpassDesign.magnitude(coefficients: coefficients, frequency: f))) < 0.001)
        }
        for f in stride(from: 0.28, through: 0.5, by: 0.005) {
            #expect(20 * log10(HalfbandAllpassDesign.magnitude(coefficients: coefficients, frequency: f)) < -90)
        }
    }

    /// Output magnitude spectrum (1 Hz bins) of one second of a saturated sine, after 0.1 s.
    static func spectrum(frequencyHz: Double, amplitude: Double, driveDB: Double) throws -> [Float] {
        let saturator = try Saturator(.init(driveDB: driveDB, mix: 1))
        saturator.prepare(ProcessSpec(sampleRate: rate, maxFrameCount: 512))
        let input = SignalGenerator.sine(frequencyHz: frequencyHz, sampleRate: rate, frameCount: 52_800, amplitude: amplitude)
        let (out, _) = run(saturator, left: input, right: input)
        let fft = RealFFT(size: 48_000)
        var magnitudes = [Float](repeating: 0, count: fft.binCount)
        let steady = Array(out[4800..<52_800])
        steady.withUnsafeBufferPointer { s in
            magnitudes.withUnsafeMutableBufferPointer { fft.magnitudes(s.baseAddress!, into: $0.baseAddress!) }
        }
        return magnitudes
    }

    static func thd(frequencyHz: Int, amplitude: Double, driveDB: Double) throws -> Double {
        let m = try spectrum(frequencyHz: Double(frequencyHz), amplitude: amplitude, driveDB: driveDB)
        let harmonics = stride(from: 2 * frequencyHz, to: 24_000, by: frequencyHz).map { Double(m[$0]) * Double(m[$0]) }
        return harmonics.reduce(0, +).squareRoot() / Double(m[frequencyHz])
    }

    @Test("at the drive giving 3 % THD, a 9 kHz sine has every alias ≥ 70 dB below the fundamental")
    func aliasing() throws {
        // Find the drive that gives 3 % THD on a 1 kHz sine at the same level (bisection).
        var low = 0.0, high = 30.0
        for _ in 0..<20 {
            let middle = (low + high) / 2
            if try Self.thd(frequencyHz: 1000, amplitude: 0.5, driveDB: middle) < 0.03 { low = middle } else { high = middle }
        }
        let drive = (low + high) / 2
        #expect(abs(try Self.thd(frequencyHz: 1000, amplitude: 0.5, driveDB: drive) - 0.03) < 0.002)
        let m = try Self.spectrum(frequencyHz: 9000, amplitude: 0.5, driveDB: drive)
        let fundamental = Double(m[9000])
        // In-band harmonics of 9 kHz: 18 kHz only (an odd curve makes none, but it is allowed).
        var worst = 0.0, worstBin = 0
        for bin in 10..<m.count where abs(bin - 9000) > 2 && abs(bin - 18_000) > 2 {
            if Double(m[bin]) > worst { worst = Double(m[bin]); worstBin = bin }
        }
        let below = 20 * log10(fundamental / max(worst, 1e-30))
        #expect(below >= 70, "worst alias at \(worstBin) Hz, \(below) dB below the fundamental (drive \(drive) dB)")
    }

    @Test("quiet signals pass at unity: the curve's slope is 1 at the origin")
    func unityForQuietSignals() throws {
        let m = try Self.spectrum(frequencyHz: 1000, amplitude: 0.001, driveDB: 12)
        let amplitude = Double(m[1000]) * 2 / 48_000
        #expect(abs(20 * log10(amplitude / 0.001)) < 0.01)
    }

    @Test("the curve is odd, bounded by ±1 and reaches 1 at |x| = 3")
    func curve() {
        for x in stride(from: -6.0 as Float, through: 6, by: 0.01) {
            let y = Saturator.shape(SIMD2(x, -x))
            #expect(y.x == -y.y)
            #expect(abs(y.x) <= 1)
        }
        #expect(Saturator.shape(SIMD2(3, 10)) == SIMD2(1, 1))
    }
}
