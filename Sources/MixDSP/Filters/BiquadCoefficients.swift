import Foundation

/// Normalised second-order filter coefficients (a0 = 1) for
/// `y[n] = b0·x[n] + b1·x[n−1] + b2·x[n−2] − a1·y[n−1] − a2·y[n−2]`.
///
/// The factories follow R. Bristow-Johnson, "Cookbook formulae for audio EQ biquad filter
/// coefficients" (the RBJ Audio EQ Cookbook); they are pure functions of their arguments.
public struct BiquadCoefficients: Sendable, Equatable {
    public var b0: Double
    public var b1: Double
    public var b2: Double
    public var a1: Double
    public var a2: Double

    /// Coefficients as given, already divided by a0.
    public init(b0: Double, b1: Double, b2: Double, a1: Double, a2: Double) {
        (self.b0, self.b1, self.b2, self.a1, self.a2) = (b0, b1, b2, a1, a2)
    }

    /// A filter that passes its input unchanged.
    public static let identity = BiquadCoefficients(b0: 1, b1: 0, b2: 0, a1: 0, a2: 0)

    /// Divides every coefficient by `a0` (the cookbook gives unnormalised values).
    init(b0: Double, b1: Double, b2: Double, a0: Double, a1: Double, a2: Double) {
        self.init(b0: b0 / a0, b1: b1 / a0, b2: b2 / a0, a1: a1 / a0, a2: a2 / a0)
    }

    /// The cookbook's intermediate values for a corner or centre frequency and a Q.
    private struct Prototype {
        let cosW0: Double
        let alpha: Double

        init(frequencyHz: Double, q: Double, sampleRate: Double) {
            let w0 = 2 * Double.pi * frequencyHz / sampleRate
            cosW0 = cos(w0)
            alpha = sin(w0) / (2 * q)
        }
    }

    // MARK: Factories (RBJ cookbook)

    /// Second-order low-pass: `H(s) = 1 / (s² + s/Q + 1)`.
    public static func lowPass(cutoffHz: Double, q: Double = 1 / 2.0.squareRoot(), sampleRate: Double)
        -> BiquadCoefficients
    {
        let p = Prototype(frequencyHz: cutoffHz, q: q, sampleRate: sampleRate)
        let b1 = 1 - p.cosW0
        return BiquadCoefficients(b0: b1 / 2, b1: b1, b2: b1 / 2, a0: 1 + p.alpha, a1: -2 * p.cosW0, a2: 1 - p.alpha)
    }

    /// Second-order high-pass: `H(s) = s² / (s² + s/Q + 1)`.
    public static func highPass(cutoffHz: Double, q: Double = 1 / 2.0.squareRoot(), sampleRate: Double)
        -> BiquadCoefficients
    {
        let p = Prototype(frequencyHz: cutoffHz, q: q, sampleRate: sampleRate)
        let b0 = (1 + p.cosW0) / 2
        return BiquadCoefficients(b0: b0, b1: -(1 + p.cosW0), b2: b0, a0: 1 + p.alpha, a1: -2 * p.cosW0, a2: 1 - p.alpha)
    }

    /// Band-pass with 0 dB peak gain: `H(s) = (s/Q) / (s² + s/Q + 1)`; exactly unity, in phase, at `centerHz`.
    public static func bandPass(centerHz: Double, q: Double, sampleRate: Double) -> BiquadCoefficients {
        let p = Prototype(frequencyHz: centerHz, q: q, sampleRate: sampleRate)
        return BiquadCoefficients(b0: p.alpha, b1: 0, b2: -p.alpha, a0: 1 + p.alpha, a1: -2 * p.cosW0, a2: 1 - p.alpha)
    }

    /// Peaking EQ ("bell"): `gainDB` at `centerHz`, unity far from it.
    public static func bell(centerHz: Double, q: Double, gainDB: Double, sampleRate: Double) -> BiquadCoefficients {
        let p = Prototype(frequencyHz: centerHz, q: q, sampleRate: sampleRate)
        let a = pow(10, gainDB / 40)
        return BiquadCoefficients(
            b0: 1 + p.alpha * a, b1: -2 * p.cosW0, b2: 1 - p.alpha * a,
            a0: 1 + p.alpha / a, a1: -2 * p.cosW0, a2: 1 - p.alpha / a)
    }

    /// Low shelf: `gainDB` below `cutoffHz`, unity above; `q` sets the transition (0.707: no overshoot).
    public static func lowShelf(cutoffHz: Double, q: Double = 1 / 2.0.squareRoot(), gainDB: Double, sampleRate: Double)
        -> BiquadCoefficients
    {
        let p = Prototype(frequencyHz: cutoffHz, q: q, sampleRate: sampleRate)
        let a = pow(10, gainDB / 40)
        let twoSqrtAAlpha = 2 * a.squareRoot() * p.alpha
        return BiquadCoefficients(
            b0: a * ((a + 1) - (a - 1) * p.cosW0 + twoSqrtAAlpha),
            b1: 2 * a * ((a - 1) - (a + 1) * p.cosW0),
            b2: a * ((a + 1) - (a - 1) * p.cosW0 - twoSqrtAAlpha),
            a0: (a + 1) + (a - 1) * p.cosW0 + twoSqrtAAlpha,
            a1: -2 * ((a - 1) + (a + 1) * p.cosW0),
            a2: (a + 1) + (a - 1) * p.cosW0 - twoSqrtAAlpha)
    }

    /// High shelf: `gainDB` above `cutoffHz`, unity below.
    public static func highShelf(cutoffHz: Double, q: Double = 1 / 2.0.squareRoot(), gainDB: Double, sampleRate: Double)
        -> BiquadCoefficients
    {
        let p = Prototype(frequencyHz: cutoffHz, q: q, sampleRate: sampleRate)
        let a = pow(10, gainDB / 40)
        let twoSqrtAAlpha = 2 * a.squareRoot() * p.alpha
        return BiquadCoefficients(
            b0: a * ((a + 1) + (a - 1) * p.cosW0 + twoSqrtAAlpha),
            b1: -2 * a * ((a - 1) + (a + 1) * p.cosW0),
            b2: a * ((a + 1) + (a - 1) * p.cosW0 - twoSqrtAAlpha),
            a0: (a + 1) - (a - 1) * p.cosW0 + twoSqrtAAlpha,
            a1: 2 * ((a - 1) - (a + 1) * p.cosW0),
            a2: (a + 1) - (a - 1) * p.cosW0 - twoSqrtAAlpha)
    }
}

extension BiquadCoefficients {
    /// The filter's gain at `frequencyHz`, dB: |H(e^jω)| of the transfer function the
    /// coefficients define (for decisions made on a response, like reference matching's fit).
    public func magnitudeDB(atHz frequencyHz: Double, sampleRate: Double) -> Double {
        let w = 2 * Double.pi * frequencyHz / sampleRate
        let (c1, s1, c2, s2) = (cos(w), sin(w), cos(2 * w), sin(2 * w))
        // e^{−jω} = cos ω − j sin ω.
        let (numeratorRe, numeratorIm) = (b0 + b1 * c1 + b2 * c2, -(b1 * s1 + b2 * s2))
        let (denominatorRe, denominatorIm) = (1 + a1 * c1 + a2 * c2, -(a1 * s1 + a2 * s2))
        let power = (numeratorRe * numeratorRe + numeratorIm * numeratorIm)
            / (denominatorRe * denominatorRe + denominatorIm * denominatorIm)
        return 10 * log10(power)
    }
}
