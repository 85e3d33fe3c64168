import Foundation
import MixDSP
import Testing

/// |H(e^jω)| of normalised biquad coefficients, evaluated directly from the transfer function.
func magnitudeDB(_ c: BiquadCoefficients, frequencyHz: Double, sampleRate: Double) -> Double {
    let w = 2 * Double.pi * frequencyHz / sampleRate
    let (cos1, sin1, cos2, sin2) = (cos(w), sin(w), cos(2 * w), sin(2 * w))
    let numeratorReal = c.b0 + c.b1 * cos1 + c.b2 * cos2
    let numeratorImaginary = -(c.b1 * sin1 + c.b2 * sin2)
    let denominatorReal = 1 + c.a1 * cos1 + c.a2 * cos2
    let denominatorImaginary = -(c.a1 * sin1 + c.a2 * sin2)
    let squared = (numeratorReal * numeratorReal + numeratorImaginary * numeratorImaginary)
        / (denominatorReal * denominatorReal + denominatorImaginary * denominatorImaginary)
    return 10 * log10(squared)
}

@Suite("RBJ cookbook biquads")
struct BiquadCoefficientsTests {
    @Test("low-pass and high-pass are −3.01 dB at the corner (Q = 1/√2), unity in the passband", arguments: [44_100.0, 48_000, 96_000])
    func cornerGain(sampleRate: Double) {
        let low = BiquadCoefficients.lowPass(cutoffHz: 1000, sampleRate: sampleRate)
        let high = BiquadCoefficients.highPass(cutoffHz: 1000, sampleRate: sampleRate)
        #expect(abs(magnitudeDB(low, frequencyHz: 1000, sampleRate: sampleRate) + 3.0103) < 0.01)
        #expect(abs(magnitudeDB(high, frequencyHz: 1000, sampleRate: sampleRate) + 3.0103) < 0.01)
        #expect(abs(magnitudeDB(low, frequencyHz: 10, sampleRate: sampleRate)) < 0.01)
        #expect(abs(magnitudeDB(high, frequencyHz: sampleRate * 0.45, sampleRate: sampleRate)) < 0.1)
        // A second-order slope: −12 dB per octave well above the corner (bilinear warping aside).
        let octaveDrop = magnitudeDB(low, frequencyHz: 4000, sampleRate: sampleRate)
            - magnitudeDB(low, frequencyHz: 8000, sampleRate: sampleRate)
        #expect(octaveDrop > 11 && octaveDrop < 14)
    }

    @Test("bell gives its gain at the centre; shelves give theirs at the band's end", arguments: [-9.0, 4.5, 12])
    func bellAndShelves(gainDB: Double) {
        let rate = 48_000.0
        let bell = BiquadCoefficients.bell(centerHz: 2500, q: 1.4, gainDB: gainDB, sampleRate: rate)
        #expect(abs(magnitudeDB(bell, frequencyHz: 2500, sampleRate: rate) - gainDB) < 0.01)
        #expect(abs(magnitudeDB(bell, frequencyHz: 20, sampleRate: rate)) < 0.05)
        let lowShelf = BiquadCoefficients.lowShelf(cutoffHz: 200, gainDB: gainDB, sampleRate: rate)
        #expect(abs(magnitudeDB(lowShelf, frequencyHz: 5, sampleRate: rate) - gainDB) < 0.05)
        #expect(abs(magnitudeDB(lowShelf, frequencyHz: 15_000, sampleRate: rate)) < 0.05)
        let highShelf = BiquadCoefficients.highShelf(cutoffHz: 8000, gainDB: gainDB, sampleRate: rate)
        #expect(abs(magnitudeDB(highShelf, frequencyHz: 23_900, sampleRate: rate) - gainDB) < 0.1)
        #expect(abs(magnitudeDB(highShelf, frequencyHz: 50, sampleRate: rate)) < 0.05)
        // The RBJ shelf has half its gain (in dB) at the corner frequency.
        #expect(abs(magnitudeDB(highShelf, frequencyHz: 8000, sampleRate: rate) - gainDB / 2) < 0.01)
    }

    @Test("a sine through the Biquad comes out at |H| once the transient has passed")
    func sineThroughFilter() {
        let rate = 48_000.0
        let coefficients = BiquadCoefficients.bell(centerHz: 1000, q: 2, gainDB: 6, sampleRate: rate)
        var filter = Biquad(coefficients)
        for frequency in [250.0, 700, 1000, 3000] {
            filter.reset()
            var samples = (0..<48_000).map { Float(sin(2 * Double.pi * frequency * Double($0) / rate)) * 0.5 }
            samples.withUnsafeMutableBufferPointer { filter.process($0) }
            let tail = samples[24_000...]
            let rms = (tail.reduce(0.0) { $0 + Double($1 * $1) } / Double(tail.count)).squareRoot()
            let measuredDB = 20 * log10(rms / (0.5 / 2.0.squareRoot()))
            #expect(abs(measuredDB - magnitudeDB(coefficients, frequencyHz: frequency, sampleRate: rate)) < 0.1)
        }
    }
}
