/// A lane mask as a bit pattern per lane (all ones or all zeros), for selects by `and`/`or`.
struct LaneBits {
    let bits: SIMD8<UInt32>

    init(_ mask: SIMDMask<SIMD8<Int32>>) {
        bits = SIMD8<UInt32>(repeating: 0).replacing(with: .max, where: mask)
    }

    /// `b` in the mask's lanes, `a` elsewhere.
    @inline(__always)
    func select(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        let a = unsafeBitCast(a, to: SIMD8<UInt32>.self), b = unsafeBitCast(b, to: SIMD8<UInt32>.self)
        return unsafeBitCast((a & ~bits) | (b & bits), to: SIMD8<Float>.self)
    }

    /// |x|, by clearing the sign bits (the same value as negating the negative lanes).
    @inline(__always)
    static func magnitude(_ x: SIMD8<Float>) -> SIMD8<Float> {
        unsafeBitCast(unsafeBitCast(x, to: SIMD8<UInt32>.self) & 0x7FFF_FFFF, to: SIMD8<Float>.self)
    }
}
