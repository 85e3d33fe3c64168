/// Filter states too small to matter set to zero. A decaying tail must not sink into denormals,
/// a hundred times slower on x86; a compare and select on every sample would lengthen the
/// recurrences, so owners flush every `interval` frames counted since their reset — never at
/// block ends, so the output does not depend on block sizes.
public enum Denormals {
    /// How often (in frames since reset) filter states are flushed.
    public static let interval = 128

    /// Magnitudes under this (about −600 dB) are flushed to zero.
    public static let smallest = 1e-30

    /// `v` with every lane under `smallest` in magnitude set to zero.
    @inlinable @inline(__always)
    public static func flushed<V: LaneVector>(_ v: V) -> V {
        let zero = V(repeating: 0)
        let magnitude = v.replacing(with: -v, where: v .< zero)
        return v.replacing(with: zero, where: magnitude .< V(repeating: Float(smallest)))
    }

    /// The same for the lanes of `Double` vectors (the loudness meters' K-weighting).
    @inlinable @inline(__always)
    public static func flushed<V: SIMD>(_ v: V) -> V where V.Scalar == Double {
        v.replacing(with: 0, where: (v .< smallest) .& (v .> -smallest))
    }
}
