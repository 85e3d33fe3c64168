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

    /// How far the curve turns `inputDB` down, in dB (≥ 0).
    @inlinable @inline(__always)
    public func gainReductionDB(_ inputDB: Float) -> Float {
        let overshoot = inputDB - thresholdDB
        let slope = 1 - 1 / ratio
        if 2 * overshoot <= -kneeDB { return 0 }
        if 2 * overshoot >= kneeDB { return slope * overshoot }
        // Inside the knee: a quadratic joining the two straight parts.
        let into = overshoot + kneeDB / 2
        return slope * into * into / (2 * kneeDB)
    }
}
