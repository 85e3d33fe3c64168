/// log2 and exp2 for per-sample dynamics (decibel detection and gain), where libm costs more
/// than the rest of the loop. Both reduce the range with the float's exponent bits and finish
/// with a short polynomial: log2 within 2e-7 (plus rounding), exp2 within 1e-6 relative
/// (tested against libm over the whole range the processors use).
public enum FastMath {
    /// log2(1 + t) ≈ t·P(t) on [0, 1), P of degree 7 (highest power first), fitted by least
    /// squares (max error 1.1e-7). No division, so it pipelines.
    @usableFromInline static let log2Coefficients: SIMD8<Float> = [
        -0.009_118_109, 0.051_154_499, -0.135_803_870, 0.240_180_766,
        -0.346_390_954, 0.478_417_535, -0.721_127_929, 1.442_687_954,
    ]

    /// e^f for |f| ≤ ln2/2 by its Taylor series to f⁶ (highest power first); the next term is
    /// below 2e-7 relative.
    @usableFromInline static let expCoefficients: SIMD8<Float> = [1.0 / 720, 1.0 / 120, 1.0 / 24, 1.0 / 6, 0.5, 1, 1, 0]

    /// log2(x) for x > 0; inputs below 1e-30 (about −600 dB) are treated as 1e-30.
    @inlinable @inline(__always)
    public static func log2(_ x: Float) -> Float {
        let bits = max(x, 1e-30).bitPattern
        let exponent = Float(Int32(bitPattern: bits >> 23) - 127)
        let t = Float(bitPattern: (bits & 0x007F_FFFF) | 0x3F80_0000) - 1  // mantissa − 1, in [0, 1)
        var p = log2Coefficients[0]
        for k in 1..<8 { p = p * t + log2Coefficients[k] }
        return exponent + p * t
    }

    /// 2^x for x in [−126, 126] (clamped there).
    @inlinable @inline(__always)
    public static func exp2(_ x: Float) -> Float {
        let clamped = min(max(x, -126), 126)
        let whole = roundedToNearest(clamped)
        let f = (clamped - whole) * 0.693_147_18  // |f| ≤ ln2/2
        var poly = expCoefficients[0]
        for k in 1..<7 { poly = poly * f + expCoefficients[k] }
        let scale = Float(bitPattern: UInt32(Int32(whole) + 127) << 23)
        return poly * scale
    }

    /// Rounds to the nearest integer (ties to even) for |x| < 2²²: adding and subtracting
    /// 1.5·2²³ makes the FPU round, where `rounded()` would call libm for every sample.
    @inlinable @inline(__always)
    public static func roundedToNearest(_ x: Float) -> Float {
        let magic: Float = 12_582_912
        return (x + magic) - magic
    }

    /// 20·log10(x) in dB.
    @inlinable @inline(__always)
    public static func decibels(_ amplitude: Float) -> Float {
        log2(amplitude) * 6.020_599_9
    }

    /// 10^(dB/20).
    @inlinable @inline(__always)
    public static func amplitude(_ decibels: Float) -> Float {
        exp2(decibels * 0.166_096_4)
    }
}
