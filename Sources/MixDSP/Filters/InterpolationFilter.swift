import Foundation

/// A polyphase interpolation filter: a Kaiser-windowed sinc cut into `factor` phases of
/// `tapsPerPhase` taps, for reading a band-limited signal between its samples (true-peak
/// detection after ITU-R BS.1770-4 Annex 2, which oversamples by 4).
public struct InterpolationFilter: Sendable {
    public let factor: Int
    public let tapsPerPhase: Int
    /// `phases[p][j]`: the weight of window sample j (oldest first) for the point p/factor of a
    /// sample past the window's centre sample (index tapsPerPhase/2 − 1).
    public let phases: [[Float]]

    /// Designs the filter. `kaiserBeta` trades stopband depth (8: about 80 dB) for transition width.
    public init(factor: Int, tapsPerPhase: Int, kaiserBeta: Double = 8) {
        precondition(factor >= 2 && tapsPerPhase >= 4 && tapsPerPhase % 2 == 0)
        self.factor = factor
        self.tapsPerPhase = tapsPerPhase
        let halfSpan = Double(tapsPerPhase) / 2
        let center = tapsPerPhase / 2 - 1
        phases = (0..<factor).map { phase in
            (0..<tapsPerPhase).map { j in
                let offset = Double(center - j) + Double(phase) / Double(factor)
                let window = Self.besselI0(kaiserBeta * max(0, 1 - (offset / halfSpan) * (offset / halfSpan)).squareRoot())
                    / Self.besselI0(kaiserBeta)
                return Float(Self.sinc(offset) * window)
            }
        }
    }

    static func sinc(_ x: Double) -> Double {
        x == 0 ? 1 : sin(Double.pi * x) / (Double.pi * x)
    }

    /// The modified Bessel function of the first kind, order 0, by its power series.
    static func besselI0(_ x: Double) -> Double {
        var sum = 1.0, term = 1.0, k = 1.0
        while term > sum * 1e-17 {
            term *= (x / (2 * k)) * (x / (2 * k))
            sum += term
            k += 1
        }
        return sum
    }
}
