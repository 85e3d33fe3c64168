/// log2 and exp2 for per-sample dynamics (decibel detection and gain), where libm costs more
/// than the rest of the loop. Both reduce the range with the float's exponent bits and finish
/// with a short polynomial: log2 within 2e-7 (plus rounding), exp2 within 1e-6 relative
/// (tested against libm over the whole range the processors use).
public enum FastMath {
    /// log2(x) for x > 0; inputs below 1e-30 (about −600 dB) are treated as 1e-30.
    @inlinable @inline(__always)
    public static func log2(_ x: Float) -> Float {
        let bits = max(x, 1e-30).bitPattern
        let exponent = Float(Int32(bitPattern: bits >> 23) - 127)
        let t = Float(bitPattern: (bits & 0x007F_FFFF) | 0x3F80_0000) - 1  // mantissa − 1, in [0, 1)
        // log2(1 + t): a degree-8 polynomial fitted by least squares on [0, 1) (max error
        // 1.1e-7), with no division, so it pipelines.
        var p: Float = -0.009_118_109
        p = p * t + 0.051_154_499
        p = p * t - 0.135_803_870
        p = p * t + 0.240_180_766
        p = p * t - 0.346_390_954
        p = p * t + 0.478_417_535
        p = p * t - 0.721_127_929
        p = p * t + 1.442_687_954
        return exponent + p * t
    }

    /// 2^x for x in [−126, 126] (clamped there).
    @inlinable @inline(__always)
    public static func exp2(_ x: Float) -> Float {
        let clamped = min(max(x, -126), 126)
        let whole = roundedToNearest(clamped)
        let f = (clamped - whole) * 0.693_147_18  // |f| ≤ ln2/2
        // e^f by its Taylor series to the 6th power (the next term is below 2e-7 relative),
        // by Horner's rule in the same order as the SIMD version.
        var poly = f * (1.0 / 720) + 1.0 / 120
        poly = poly * f + 1.0 / 24
        poly = poly * f + 1.0 / 6
        poly = poly * f + 0.5
        poly = poly * f + 1
        poly = poly * f + 1
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
