import Foundation

/// Coefficients of a polyphase IIR half-band filter: two parallel chains of first-order
/// allpass sections in z², `H(z) = ½·(A₀(z²) + z⁻¹·A₁(z²))`, with an elliptic (equiripple)
/// response. From the closed-form design of R. A. Valenzuela and A. G. Constantinides,
/// "Digital signal processing schemes for efficient interpolation and decimation", IEE Proc.
/// 130(6), 1983, in which the coefficients come from Jacobi theta-function series.
///
/// `transitionWidth` sets the transition band around a quarter of the oversampled rate, as a
/// fraction of that rate; for 0.03 and 8 coefficients the passband is flat to about 0.24 and
/// the stopband below −90 dB from about 0.265 (checked by `magnitude`, and in the tests).
public enum HalfbandAllpassDesign {
    /// `count` coefficients (even indices for A₀, odd for A₁), each in (0, 1).
    public static func coefficients(count: Int, transitionWidth: Double) -> [Double] {
        precondition(count > 0 && transitionWidth > 0 && transitionWidth < 0.25)
        // Selectivity k and the nome q of the elliptic design.
        var k = tan((1 - 2 * transitionWidth) * Double.pi / 4)
        k *= k
        let root = pow(1 - k * k, 0.25)
        let e = 0.5 * (1 - root) / (1 + root)
        let e4 = pow(e, 4)
        let q = e * (1 + e4 * (2 + e4 * (15 + 150 * e4)))
        let order = Double(2 * count + 1)
        return (1...count).map { index in
            let c = Double(index)
            // Numerator and denominator theta series, summed until the terms vanish.
            var numerator = 0.0
            var m = 0
            while true {
                let term = pow(q, Double(m * (m + 1))) * sin(Double(2 * m + 1) * c * Double.pi / order)
                numerator += m % 2 == 0 ? term : -term
                if abs(term) < 1e-100 || m > 64 { break }
                m += 1
            }
            numerator *= pow(q, 0.25)
            var denominator = 0.0
            m = 1
            while true {
                let term = pow(q, Double(m * m)) * cos(Double(2 * m) * c * Double.pi / order)
                denominator += m % 2 == 1 ? -term : term
                if abs(term) < 1e-100 || m > 64 { break }
                m += 1
            }
            denominator += 0.5
            let w = numerator / denominator
            let w2 = w * w
            let x = ((1 - w2 * k) * (1 - w2 / k)).squareRoot() / (1 + w2)
            return (1 - x) / (1 + x)
        }
    }

    /// The magnitude of the half-band response at `frequency` (a fraction of the oversampled
    /// rate), from the coefficients: for checking a design.
    public static func magnitude(coefficients: [Double], frequency: Double) -> Double {
        let w = 2 * Double.pi * frequency
        // e^{-jw} and e^{-2jw} as complex numbers (re, im).
        func allpass(_ a: Double) -> (Double, Double) {
            // (a + z⁻²) / (1 + a z⁻²) at z = e^{jw}
            let (c2, s2) = (cos(2 * w), -sin(2 * w))
            let numerator = (a + c2, s2)
            let denominator = (1 + a * c2, a * s2)
            let d = denominator.0 * denominator.0 + denominator.1 * denominator.1
            return ((numerator.0 * denominator.0 + numerator.1 * denominator.1) / d,
                    (numerator.1 * denominator.0 - numerator.0 * denominator.1) / d)
        }
        func multiply(_ a: (Double, Double), _ b: (Double, Double)) -> (Double, Double) {
            (a.0 * b.0 - a.1 * b.1, a.0 * b.1 + a.1 * b.0)
        }
        var branch0 = (1.0, 0.0), branch1 = (1.0, 0.0)
        for (index, a) in coefficients.enumerated() {
            if index % 2 == 0 { branch0 = multiply(branch0, allpass(a)) } else { branch1 = multiply(branch1, allpass(a)) }
        }
        branch1 = multiply(branch1, (cos(w), -sin(w)))
        let sum = (0.5 * (branch0.0 + branch1.0), 0.5 * (branch0.1 + branch1.1))
        return (sum.0 * sum.0 + sum.1 * sum.1).squareRoot()
    }
}
