/// `FastMath` on eight lanes at a time, for the vectorised stages of the dynamics processors.
/// Same range reduction and polynomials as the scalar versions, so the two agree bit for bit
/// (tested).
extension FastMath {
    @inlinable @inline(__always)
    public static func log2(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let bits = unsafeBitCast(x.replacing(with: 1e-30, where: x .< 1e-30), to: SIMD8<UInt32>.self)
        // The exponent field as a float without an int-to-float conversion (generic and slow on
        // SIMD types): 2²³ + e, read as a float, minus 2²³ + 127.
        let exponent = unsafeBitCast((bits &>> 23) | 0x4B00_0000, to: SIMD8<Float>.self) - 8_388_735
        let t = unsafeBitCast((bits & 0x007F_FFFF) | 0x3F80_0000, to: SIMD8<Float>.self) - 1
        var p = SIMD8<Float>(repeating: log2Coefficients[0])
        for k in 1..<8 { p = p * t + log2Coefficients[k] }
        return exponent + p * t
    }

    @inlinable @inline(__always)
    public static func exp2(_ x: SIMD8<Float>) -> SIMD8<Float> {
        var clamped = x.replacing(with: -126, where: x .< -126)
        clamped.replace(with: 126, where: clamped .> 126)
        let magic = SIMD8<Float>(repeating: 12_582_912)
        let shifted = clamped + magic
        let whole = shifted - magic
        let f = (clamped - whole) * 0.693_147_18
        var poly = SIMD8<Float>(repeating: expCoefficients[0])
        for k in 1..<7 { poly = poly * f + expCoefficients[k] }
        // `shifted`'s low mantissa bits hold the rounded integer: 0x4B40_0000 + n.
        let integer = unsafeBitCast(shifted, to: SIMD8<UInt32>.self) &- 0x4B40_0000
        let exponentBits = (integer &+ 127) &<< 23
        return poly * unsafeBitCast(exponentBits, to: SIMD8<Float>.self)
    }

    @inlinable @inline(__always)
    public static func decibels(_ amplitude: SIMD8<Float>) -> SIMD8<Float> {
        log2(amplitude) * 6.020_599_9
    }

    @inlinable @inline(__always)
    public static func amplitude(_ decibels: SIMD8<Float>) -> SIMD8<Float> {
        exp2(decibels * 0.166_096_4)
    }
}

extension SIMD8 where Scalar == Float {
    /// Lane-wise maximum, inlined (the standard library's `pointwiseMax` stayed an outlined
    /// call in the hot loops, once per vector).
    @inlinable @inline(__always)
    public func laneMax(_ other: SIMD8<Float>) -> SIMD8<Float> {
        replacing(with: other, where: other .> self)
    }

    /// Lane-wise absolute value.
    @inlinable @inline(__always)
    public var magnitude: SIMD8<Float> {
        replacing(with: -self, where: self .< 0)
    }
}
