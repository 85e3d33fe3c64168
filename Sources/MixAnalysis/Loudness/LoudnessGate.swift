import Foundation

/// The gating half of a BS.1770-4 meter, fed the K-weighted energy of a stream: mean squares per
/// 100 ms step, 400 ms gating blocks with 75 % overlap, the absolute (−70 LUFS) and relative
/// (−10 LU) gates, and the momentary (400 ms) and short-term (3 s) windows; and, when asked,
/// the loudness range of EBU Tech 3342 over short-term windows taken every second.
///
/// Gating blocks (and short-term values) go into `LoudnessHistogram`s: memory is fixed however
/// long the song.
struct LoudnessGate {
    static let lowestLUFS = LoudnessHistogram.lowestLUFS
    /// BS.1770-4: blocks more than 10 LU under the absolute-gated mean are left out.
    static let relativeGateLU = -10.0
    /// EBU Tech 3342: short-term values more than 20 LU under their absolute-gated mean are left out.
    static let rangeRelativeGateLU = -20.0
    /// EBU Tech 3342: the range is from the 10th to the 95th percentile of what passes the gates.
    static let rangePercentiles = (low: 0.10, high: 0.95)

    /// The current step's energy so far (Σ over its frames of the channels' squares).
    private var stepEnergy = 0.0
    /// The newest 30 steps' mean squares (3 s, the short-term window), oldest overwritten.
    private var recent = [Double](repeating: 0, count: 30)
    private var recentIndex = 0
    private var stepsSeen = 0
    private var blocks = LoudnessHistogram()
    /// Short-term values, one a second once 3 s have been seen (only when the range is measured).
    private var shortTerms: LoudnessHistogram?
    /// Steps between two short-term values of the range: libebur128's hop (1 s, windows
    /// overlapping by 2 s), so the frames' range ends where the summary's (libebur128's) does.
    static let rangeHopSteps = 10

    init(measuresRange: Bool = false) {
        shortTerms = measuresRange ? LoudnessHistogram() : nil
    }

    /// Adds energy to the current step.
    mutating func add(energy: Double) {
        stepEnergy += energy
    }

    /// Ends the current step, `frameCount` frames long, and counts the gating block it completes.
    mutating func closeStep(frameCount: Int) {
        recent[recentIndex] = stepEnergy / Double(frameCount)
        recentIndex = (recentIndex + 1) % recent.count
        stepsSeen += 1
        stepEnergy = 0
        guard stepsSeen >= 4 else { return }
        let power = meanOfNewest(4)
        blocks.add(power: power, loudnessLUFS: Self.lufs(power))
        if shortTerms != nil, stepsSeen >= recent.count, (stepsSeen - recent.count) % Self.rangeHopSteps == 0 {
            let shortTerm = meanOfNewest(recent.count)
            shortTerms?.add(power: shortTerm, loudnessLUFS: Self.lufs(shortTerm))
        }
    }

    /// Forgets everything measured (between two steps).
    mutating func discard() {
        stepEnergy = 0
        for index in recent.indices { recent[index] = 0 }
        recentIndex = 0
        stepsSeen = 0
        blocks.removeAll()
        shortTerms?.removeAll()
    }

    private func meanOfNewest(_ count: Int) -> Double {
        var sum = 0.0
        for back in 1...count { sum += recent[(recentIndex - back + recent.count) % recent.count] }
        return sum / Double(count)
    }

    static func lufs(_ power: Double) -> Double {
        power > 0 ? -0.691 + 10 * log10(power) : -.infinity
    }

    /// Gated integrated loudness; nil when no block passed the gates.
    var integratedLUFS: Double? {
        Self.integratedLUFS(blocks)
    }

    /// The gated integrated loudness of a stream measured in consecutive parts, one gate each:
    /// the gating blocks of all of them, gated together.
    static func integratedLUFS(combining gates: [LoudnessGate]) -> Double? {
        var combined = LoudnessHistogram()
        for gate in gates { combined.merge(gate.blocks) }
        return integratedLUFS(combined)
    }

    /// The loudness the render decides by: every bin summed in ascending order.
    private static func integratedLUFS(_ blocks: LoudnessHistogram) -> Double? {
        let all = blocks.exactSum()
        guard all.count > 0 else { return nil }
        let kept = blocks.exactSum(atOrAbove: lufs(all.energy / Double(all.count)) + relativeGateLU)
        return kept.count > 0 ? lufs(kept.energy / Double(kept.count)) : nil
    }

    /// The same integrated loudness for a meter read at every frame: through the histogram's
    /// group sums (a few hundred additions instead of 16,000), equal to `integratedLUFS` but for
    /// the order of the additions.
    var runningIntegratedLUFS: Double? {
        guard blocks.totalCount > 0 else { return nil }
        let gate = Self.lufs(blocks.totalEnergy / Double(blocks.totalCount)) + Self.relativeGateLU
        let kept = blocks.fastSum(from: LoudnessHistogram.firstBin(atOrAbove: gate))
        return kept.count > 0 ? Self.lufs(kept.energy / Double(kept.count)) : nil
    }

    /// Loudness range (EBU Tech 3342) of the short-term values so far, in LU; nil until 3 s have
    /// been measured, or when the range is not measured.
    var loudnessRangeLU: Double? {
        guard let shortTerms, shortTerms.totalCount > 0 else { return nil }
        let gate = Self.lufs(shortTerms.totalEnergy / Double(shortTerms.totalCount)) + Self.rangeRelativeGateLU
        let first = LoudnessHistogram.firstBin(atOrAbove: gate)
        let kept = shortTerms.fastSum(from: first).count
        guard kept > 0 else { return nil }
        // Nearest-rank percentiles over the values that passed the gates, as libebur128 takes them.
        let low = shortTerms.bin(ofRank: Int((Double(kept - 1) * Self.rangePercentiles.low).rounded()), from: first)
        let high = shortTerms.bin(ofRank: Int((Double(kept - 1) * Self.rangePercentiles.high).rounded()), from: first)
        return LoudnessHistogram.center(high) - LoudnessHistogram.center(low)
    }

    /// Loudness of the newest 400 ms; nil for silence.
    var momentaryLUFS: Double? {
        let value = Self.lufs(meanOfNewest(4))
        return value.isFinite ? value : nil
    }

    /// Loudness of the newest 3 s; nil for silence.
    var shortTermLUFS: Double? {
        let value = Self.lufs(meanOfNewest(30))
        return value.isFinite ? value : nil
    }
}
