import Foundation

/// Least-squares fit of a sine of known frequency (amplitude and phase free) to a signal, and
/// what is left over: the basis of level, frequency and THD+N checks.
public struct SineFit {
    /// Fitted peak amplitude.
    public let amplitude: Double
    /// RMS of the residual (signal minus the fitted sine): noise plus distortion.
    public let residualRMS: Double

    /// THD+N in dB: residual RMS over the fitted sine's RMS.
    public var thdPlusNoiseDB: Double {
        20 * log10(max(residualRMS, 1e-300) / (amplitude / 2.0.squareRoot()))
    }

    public init<C: Collection>(_ samples: C, frequencyHz: Double, sampleRate: Double) where C.Element == Float {
        // Normal equations for x ≈ a·sin(ωn) + b·cos(ωn) + c.
        let w = 2 * Double.pi * frequencyHz / sampleRate
        var ss = 0.0, cc = 0.0, sc = 0.0, s1 = 0.0, c1 = 0.0, n = 0.0
        var xs = 0.0, xc = 0.0, x1 = 0.0
        for (index, sample) in samples.enumerated() {
            let (s, c, x) = (sin(w * Double(index)), cos(w * Double(index)), Double(sample))
            ss += s * s; cc += c * c; sc += s * c; s1 += s; c1 += c; n += 1
            xs += x * s; xc += x * c; x1 += x
        }
        let m = [[ss, sc, s1], [sc, cc, c1], [s1, c1, n]]
        let solution = SineFit.solve3(m, [xs, xc, x1])
        let (a, b, offset) = (solution[0], solution[1], solution[2])
        amplitude = (a * a + b * b).squareRoot()
        var residual = 0.0
        for (index, sample) in samples.enumerated() {
            let fitted = a * sin(w * Double(index)) + b * cos(w * Double(index)) + offset
            residual += (Double(sample) - fitted) * (Double(sample) - fitted)
        }
        residualRMS = (residual / max(1, n)).squareRoot()
    }

    /// Cramer's rule for a 3×3 system.
    private static func solve3(_ m: [[Double]], _ v: [Double]) -> [Double] {
        func det(_ a: [[Double]]) -> Double {
            a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
                + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0])
        }
        let d = det(m)
        return (0..<3).map { column in
            var replaced = m
            for row in 0..<3 { replaced[row][column] = v[row] }
            return det(replaced) / d
        }
    }
}
