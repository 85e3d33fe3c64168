/// The static curve of a compressor: output level against input level, with a soft knee
/// (D. Giannoulis, M. Massberg, J. D. Reiss, "Digital Dynamic Range Compressor Design — A
/// Tutorial and Analysis", JAES 60(6), 2012, eq. 4). Pure: testable without time.
public struct GainComputer: Sendable, Equatable {
    public var thresholdDB: Float
    public var ratio: Float
    public var kneeDB: Float

    public init(thresholdDB: Float, ratio: Float, kneeDB: Float) {
        self.thresholdDB = thresholdDB
        self.ratio = ratio
        self.kneeDB = kneeDB
    }

    /// The output level for an input level, both in dB.
    @inlinable @inline(__always)
    public func outputLevelDB(_ inputDB: Float) -> Float {
        inputDB - gainReductionDB(inputDB)
    }

    /// How far the curve turns `inputDB` down, in dB (≥ 0): `SoftKneeCurve` on one lane.
    @inlinable
    public func gainReductionDB(_ inputDB: Float) -> Float {
        curve(SIMD2<Float>.self).reduction(SIMD2(repeating: inputDB)).x
    }

    /// The curve with these settings on every lane of `V`.
    @inlinable @inline(__always)
    func curve<V: LaneVector>(_: V.Type) -> SoftKneeCurve<V> {
        SoftKneeCurve(thresholdDB: V(repeating: thresholdDB), kneeDB: V(repeating: kneeDB), ratio: V(repeating: ratio))
    }
}
