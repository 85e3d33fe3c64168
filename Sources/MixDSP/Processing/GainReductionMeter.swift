/// Gain reduction over the last block a processor handled: its maximum and mean in dB
/// (positive numbers mean the signal was turned down). Plain values, read after `process`,
/// like libebur128's `prev_sample_peak`: no callbacks from the hot loop.
public struct GainReductionReadout: Sendable, Equatable {
    public var maxDB: Float = 0
    public var meanDB: Float = 0

    public init(maxDB: Float = 0, meanDB: Float = 0) {
        self.maxDB = maxDB
        self.meanDB = meanDB
    }
}
