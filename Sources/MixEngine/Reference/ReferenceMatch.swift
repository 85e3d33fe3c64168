import Foundation
import MixDSP

/// Reference matching (Matchering's one idea, with our ceiling kept): the master EQ that moves the
/// mix's long-term tonal balance to a reference song's. Both spectra are the mid's Welch average
/// smoothed over a third of an octave, read every sixth of an octave; their difference, with the
/// overall level taken out (loudness is matched separately, by the master's gain), is the target
/// between 60 Hz and 12 kHz. Twelve bands (the most an EQ takes: a low shelf at 80 Hz, ten bells
/// ⅔ of an octave apart from 100 Hz to 8 kHz, a high shelf at 9 kHz) are fitted to it
/// by damped least squares on their exact responses (a few Gauss–Newton steps), each within
/// ±6 dB. A value: spectra in, bands out.
public struct ReferenceMatch: Sendable, Equatable {
    /// Where the spectra are read: every sixth of an octave from 31.5 Hz to 16 kHz.
    public static let frequencies: [Double] = (0...54).map { 31.5 * pow(2, Double($0) / 6) }
    public static let smoothingOctaves = 1.0 / 3
    /// Where the match is fitted (and promised).
    public static let fitRangeHz = 60.0...12_000.0
    /// No band moves further than this.
    public static let maxGainDB = 6.0
    /// The bands fitted: a low shelf, ten bells ⅔ of an octave apart and about an octave wide,
    /// a high shelf (on a tilt of 1 dB an octave with a bump, this set leaves 0.3 dB where bells
    /// ¾ octave apart and as narrow left 0.7).
    static let shapes: [Equalizer.Band] = [Equalizer.Band(.lowShelf, frequencyHz: 80, q: 0.6)]
        + (0..<10).map { Equalizer.Band(.bell, frequencyHz: 100 * pow(80, Double($0) / 9), q: 1.4) }
        + [Equalizer.Band(.highShelf, frequencyHz: 9_000, q: 0.6)]
    /// The least squares' damping: keeps neighbouring bands from fighting.
    static let damping = 0.005

    /// The match EQ.
    public var bands: [Equalizer.Band]
    /// The difference fitted (reference − mix, level removed), dB at `frequencies`; nil outside
    /// the fit range or where a spectrum had nothing.
    public var targetDB: [Double?]
    /// The largest gap between the target and the EQ's response in the fit range, dB.
    public var residualMaxDB: Double

    /// The match of `mix` to `reference` (each dB at `frequencies`) at `sampleRate`; nil when the
    /// spectra share no point in the fit range.
    public init?(mix: [Double?], reference: [Double?], sampleRate: Double) {
        var target = [Double?](repeating: nil, count: Self.frequencies.count)
        for (index, frequency) in Self.frequencies.enumerated() where Self.fitRangeHz.contains(frequency) {
            if let m = mix[index], let r = reference[index] { target[index] = r - m }
        }
        let points = target.indices.filter { target[$0] != nil }
        guard !points.isEmpty else { return nil }
        let level = points.map { target[$0]! }.reduce(0, +) / Double(points.count)
        for index in points { target[index]! -= level }

        func band(_ shape: Equalizer.Band, gainDB: Double) -> BiquadCoefficients {
            var band = shape
            band.gainDB = gainDB
            return band.coefficients(sampleRate: sampleRate)
        }
        func response(_ gains: [Double], at frequency: Double) -> Double {
            zip(Self.shapes, gains).reduce(0) { sum, pair in
                pair.1 == 0 ? sum : sum + band(pair.0, gainDB: pair.1).magnitudeDB(atHz: frequency, sampleRate: sampleRate)
            }
        }
        // Each band's response at +1 dB, at each point: the basis of the linearised fit.
        let basis = Self.shapes.map { shape in
            points.map { band(shape, gainDB: 1).magnitudeDB(atHz: Self.frequencies[$0], sampleRate: sampleRate) }
        }
        var gains = [Double](repeating: 0, count: Self.shapes.count)
        for _ in 0..<10 {
            let residual = points.map { target[$0]! - response(gains, at: Self.frequencies[$0]) }
            guard let step = Self.solveDamped(basis: basis, residual: residual) else { break }
            gains = zip(gains, step).map { max(-Self.maxGainDB, min(Self.maxGainDB, $0 + $1)) }
        }
        // A bell left at 0 dB is no bell: the chain runs only those that move something.
        bands = zip(Self.shapes, gains).filter { abs($0.1) >= 0.01 }.map { shape, gain in
            var band = shape
            band.gainDB = gain
            return band
        }
        targetDB = target
        residualMaxDB = points.map { abs(target[$0]! - response(gains, at: Self.frequencies[$0])) }.max() ?? 0
    }

    /// Solves (BᵀB + λI)·x = Bᵀr, B's columns the bands' responses at the points.
    static func solveDamped(basis: [[Double]], residual: [Double]) -> [Double]? {
        let n = basis.count
        var matrix = [[Double]](repeating: [Double](repeating: 0, count: n + 1), count: n)
        for j in 0..<n {
            for k in 0..<n {
                matrix[j][k] = zip(basis[j], basis[k]).reduce(0) { $0 + $1.0 * $1.1 } + (j == k ? damping : 0)
            }
            matrix[j][n] = zip(basis[j], residual).reduce(0) { $0 + $1.0 * $1.1 }
        }
        // Gaussian elimination with partial pivoting.
        for column in 0..<n {
            guard let pivot = (column..<n).max(by: { abs(matrix[$0][column]) < abs(matrix[$1][column]) }),
                  abs(matrix[pivot][column]) > 1e-12 else { return nil }
            matrix.swapAt(column, pivot)
            for row in (column + 1)..<n {
                let factor = matrix[row][column] / matrix[column][column]
                for k in column...n { matrix[row][k] -= factor * matrix[column][k] }
            }
        }
        var solution = [Double](repeating: 0, count: n)
        for row in stride(from: n - 1, through: 0, by: -1) {
            var sum = matrix[row][n]
            for k in (row + 1)..<n { sum -= matrix[row][k] * solution[k] }
            solution[row] = sum / matrix[row][row]
        }
        return solution
    }
}
