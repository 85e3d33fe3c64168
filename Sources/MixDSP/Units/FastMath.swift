/// log2 and exp2 for per-sample dynamics (decibel detection and gain), where libm costs more
/// than the rest of the loop. Both use range reduction and short series whose truncation error
/// is below single precision's own: log2 within two units in the last place, exp2 within 1e-6
/// relative (tested against libm over the whole range the processors use).
public enum FastMath {
    /// log2(x) for x > 0; inputs below 1e-30 (about −600 dB) are treated as 1e-30.
    @inlinable @inline(__always)
    public static func log2(_ x: Float) -> Float {
        let bits = max(x, 1e-30).bitPattern
        var exponent = Float(Int32(bitPattern: bits >> 23) - 127)
        var m = Float(bitPattern: (bits & 0x007F_FFFF) | 0x3F80_0000)  // mantissa in [1, 2)
        if m > 1.414_213_56 {
            m *= 0.5
            exponent += 1
        }
        // ln(m) = 2·atanh(t), t = (m − 1)/(m + 1), |t| ≤ 0.172: four odd terms suffice.
        let t = (m - 1) / (m + 1)
        let t2 = t * t
        let series = t * (1 + t2 * (1.0 / 3 + t2 * (1.0 / 5 + t2 * (1.0 / 7))))
        return exponent + series * 2.885_390_08  // 2 / ln 2
    }

    /// 2^x for x in [−126, 126] (clamped there).
    @inlinable @inline(__always)
    public static func exp2(_ x: Float) -> Float {
        let clamped = min(max(x, -126), 126)
        let whole = clamped.rounded(.toNearestOrEven)
        let f = (clamped - whole) * 0.693_147_18  // |f| ≤ ln2/2
        // e^f by its Taylor series to the 6th power: the next term is below 2e-7 relative.
        let poly = 1 + f * (1 + f * (0.5 + f * (1.0 / 6 + f * (1.0 / 24 + f * (1.0 / 120 + f * (1.0 / 720))))))
        let scale = Float(bitPattern: UInt32(Int32(whole) + 127) << 23)
        return poly * scale
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
