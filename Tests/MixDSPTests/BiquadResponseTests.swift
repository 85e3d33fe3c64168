import Foundation
import MixDSP
import Testing

/// The RBJ filters against their analog prototypes: each cookbook filter is the bilinear
/// transform of an analog H(s) with the frequency pre-warped at its corner, so its digital
/// response at ω equals the prototype's at Ω = tan(ω/2) / tan(ω₀/2). That closed form shares
/// nothing with the coefficient code.
@Suite("RBJ responses against the analog prototypes")
struct BiquadResponseTests {
    enum Shape: String, CaseIterable, CustomStringConvertible, Sendable {
        case lowPass, highPass, bell, lowShelf, highShelf, bandPass
        var description: String { rawValue }
    }

    static let rates: [Double] = [44_100, 48_000, 96_000]

    /// |H(jΩ)|² of the analog prototype, Ω normalised to the corner (RBJ cookbook, "analog
    /// prototypes"); A = 10^(gain/40).
    static func prototypeMagnitudeDB(_ shape: Shape, omega w: Double, q: Double, gainDB: Double) -> Double {
        let a = pow(10, gainDB / 40)
        func squared(_ re: Double, _ im: Double) -> Double { re * re + im * im }
        let value: Double
        switch shape {
        case .lowPass: value = 1 / squared(1 - w * w, w / q)
        case .highPass: value = (w * w) * (w * w) / squared(1 - w * w, w / q)
        case .bandPass: value = (w / q) * (w / q) / squared(1 - w * w, w / q)
        case .bell: value = squared(1 - w * w, w * a / q) / squared(1 - w * w, w / (a * q))
        case .lowShelf:
            // A·(s² + (√A/Q)s + A) / (A s² + (√A/Q)s + 1)
            value = a * a * squared(a - w * w, a.squareRoot() / q * w) / squared(1 - a * w * w, a.squareRoot() / q * w)
        case .highShelf:
            // A·(A s² + (√A/Q)s + 1) / (s² + (√A/Q)s + A)
            value = a * a * squared(1 - a * w * w, a.squareRoot() / q * w) / squared(a - w * w, a.squareRoot() / q * w)
        }
        return 10 * log10(value)
    }

    static func coefficients(_ shape: Shape, f0: Double, q: Double, gainDB: Double, rate: Double) -> BiquadCoefficients {
        switch shape {
        case .lowPass: return .lowPass(cutoffHz: f0, q: q, sampleRate: rate)
        case .highPass: return .highPass(cutoffHz: f0, q: q, sampleRate: rate)
        case .bandPass: return .bandPass(centerHz: f0, q: q, sampleRate: rate)
        case .bell: return .bell(centerHz: f0, q: q, gainDB: gainDB, sampleRate: rate)
        case .lowShelf: return .lowShelf(cutoffHz: f0, q: q, gainDB: gainDB, sampleRate: rate)
        case .highShelf: return .highShelf(cutoffHz: f0, q: q, gainDB: gainDB, sampleRate: rate)
        }
    }

    /// 24 frequencies from 20 Hz to 0.45 × the rate, log-spaced.
    static func grid(rate: Double) -> [Double] {
        (0..<24).map { 20 * pow(0.45 * rate / 20, Double($0) / 23) }
    }

    @Test("|H(e^jω)| equals the prototype at Ω = tan(ω/2)/tan(ω₀/2) within 0.01 dB", arguments: Shape.allCases, rates)
    func closedForm(shape: Shape, rate: Double) {
        for (f0, q, gainDB) in [(100.0, 0.707, 6.0), (1000, 2.0, -9.0), (8000, 0.5, 12.0)] {
            let c = Self.coefficients(shape, f0: f0, q: q, gainDB: gainDB, rate: rate)
            for f in Self.grid(rate: rate) {
                let omega = tan(Double.pi * f / rate) / tan(Double.pi * f0 / rate)
                let expected = Self.prototypeMagnitudeDB(shape, omega: omega, q: q, gainDB: gainDB)
                let actual = magnitudeDB(c, frequencyHz: f, sampleRate: rate)
                // Deep in a stopband both are tiny; compare where the response is above −100 dB.
                guard expected > -100 else { continue }
                #expect(abs(actual - expected) < 0.01, "\(shape) f0 \(f0) at \(f) Hz, \(rate) Hz: \(actual) vs \(expected)")
            }
        }
    }

    @Test("a sine measured after the transient matches |H| within 0.1 dB", arguments: Shape.allCases)
    func measuredSine(shape: Shape) throws {
        let rate = 48_000.0
        let c = Self.coefficients(shape, f0: 1500, q: 1.2, gainDB: 7, rate: rate)
        let equalizer: Equalizer
        let kind: Equalizer.Band.Kind
        switch shape {
        case .lowPass: kind = .lowPass
        case .highPass: kind = .highPass
        case .bell: kind = .bell
        case .lowShelf: kind = .lowShelf
        case .highShelf: kind = .highShelf
        case .bandPass: return  // not an equalizer band; its closed form is checked above
        }
        equalizer = try Equalizer(.init(bands: [.init(kind, frequencyHz: 1500, q: 1.2, gainDB: 7)]))
        equalizer.prepare(ProcessSpec(sampleRate: rate, maxFrameCount: 48_000))
        for f in [90.0, 700, 1500, 3100, 9000] {
            equalizer.reset()
            var left = (0..<48_000).map { Float(0.25 * sin(2 * Double.pi * f * Double($0) / rate)) }
            var right = left
            left.withUnsafeMutableBufferPointer { l in
                right.withUnsafeMutableBufferPointer { r in
                    equalizer.process(AudioBlock(left: l.baseAddress!, right: r.baseAddress!, frameCount: 48_000))
                }
            }
            let tail = left[24_000...]
            let rms = (tail.reduce(0.0) { $0 + Double($1 * $1) } / Double(tail.count)).squareRoot()
            let measured = 20 * log10(rms / (0.25 / 2.0.squareRoot()))
            #expect(abs(measured - magnitudeDB(c, frequencyHz: f, sampleRate: rate)) < 0.1, "\(shape) at \(f) Hz")
            #expect(left == right)
        }
    }
}
