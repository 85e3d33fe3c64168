/// What the recurrences of the DSP kernels need of a value: one sample (`Float`) or a vector of
/// lanes (`SIMD2`, `SIMD4`, `SIMD8`: the two channels of a stereo signal, both oversampled frames
/// of a stereo pair, the eight lanes of the track bank). A kernel written once over these
/// protocols runs the same steps, so gives the same bits, on every width (JUCE's
/// `Filter<SampleType>` and chowdsp's templated filters are the model).
///
/// Why protocols of our own rather than `SIMD`: code generic over `SIMD` calls the standard
/// library's element-wise implementations of `+`, `*`, `.<`…, which run 3.5× slower than the
/// vector instructions each concrete type's own operators compile to. A requirement is met, at
/// the conformance below, by the most specific operator: the concrete type's own. Kernels use
/// only these requirements (no scalar literals mixed with vectors: `V(repeating: 2) * x`).
public protocol LaneValue: Sendable {
    static func + (lhs: Self, rhs: Self) -> Self
    static func - (lhs: Self, rhs: Self) -> Self
    static func * (lhs: Self, rhs: Self) -> Self
    static prefix func - (operand: Self) -> Self
    /// `self + a × b`, rounded once.
    func addingProduct(_ a: Self, _ b: Self) -> Self
}

extension LaneValue {
    /// `base + a × b`: one fused instruction where the build machine has FMA (`MIXDOWN_FMA`, set
    /// by scripts/lib/setup.sh), else a product and a sum (without the instruction, a fused
    /// multiply-add is a slow library call). The one place the choice is made.
    @inlinable @inline(__always)
    public static func fusedAdd(_ base: Self, _ a: Self, _ b: Self) -> Self {
        #if MIXDOWN_FMA
        return base.addingProduct(a, b)
        #else
        return base + a * b
        #endif
    }
}

/// A vector of `Float` lanes: `LaneValue` with division, comparisons and a per-lane select.
public protocol LaneVector: LaneValue {
    associatedtype Mask
    init(repeating value: Float)
    static func / (lhs: Self, rhs: Self) -> Self
    static func .< (lhs: Self, rhs: Self) -> Mask
    static func .> (lhs: Self, rhs: Self) -> Mask
    static func .<= (lhs: Self, rhs: Self) -> Mask
    static func .>= (lhs: Self, rhs: Self) -> Mask
    /// `other` in the lanes where `mask` is true, `self` in the rest.
    func replacing(with other: Self, where mask: Mask) -> Self
}

extension Float: LaneValue {}
extension SIMD2: LaneValue, LaneVector where Scalar == Float {}
extension SIMD4: LaneValue, LaneVector where Scalar == Float {}
extension SIMD8: LaneValue, LaneVector where Scalar == Float {}
