/// A block's largest and mean gain reduction per lane, summed as `DynamicsStages.gainReduction`
/// sums one track's: eight running sums by position mod 8 over the block's whole eights, added
/// up in order, then the rest (at most seven) one by one. Lane-wise additions are each lane's
/// own scalar additions, so every lane gets its track's bits.
struct LaneReductionTally {
    private(set) var largest = SIMD8<Float>()
    private(set) var total = SIMD8<Float>()
    private(set) var frameCount = 0

    init() {}

    /// The tally of `count` frames of reductions.
    init(_ reductions: UnsafePointer<SIMD8<Float>>, count: Int) {
        frameCount = count
        let wholeEights = count & ~7
        var sums = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(),
                    SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
        var peak = SIMD8<Float>()
        var i = 0
        while i < wholeEights {
            sums.0 += reductions[i]
            sums.1 += reductions[i + 1]
            sums.2 += reductions[i + 2]
            sums.3 += reductions[i + 3]
            sums.4 += reductions[i + 4]
            sums.5 += reductions[i + 5]
            sums.6 += reductions[i + 6]
            sums.7 += reductions[i + 7]
            i += 8
        }
        var sum = SIMD8<Float>()
        sum += sums.0
        sum += sums.1
        sum += sums.2
        sum += sums.3
        sum += sums.4
        sum += sums.5
        sum += sums.6
        sum += sums.7
        while i < count {
            sum += reductions[i]
            i += 1
        }
        for index in 0..<count { peak.replace(with: reductions[index], where: reductions[index] .> peak) }
        largest = peak
        total = sum
    }

    /// The block's readout for `lane`.
    func readout(lane: Int) -> GainReductionReadout {
        GainReductionReadout(maxDB: largest[lane], meanDB: frameCount > 0 ? total[lane] / Float(frameCount) : 0)
    }
}
