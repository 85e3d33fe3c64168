import Foundation

/// Loudness values (of gating blocks, or of short-term windows) counted in 0.01 LU bins from
/// −70 to +10 LUFS, each bin also keeping the exact power of what fell in it: fixed memory
/// however long the song, and only a value within 0.01 LU of a gate can be classed differently
/// from a list. Bins are summed in groups of 100 as well, so a meter can ask for "everything
/// above the gate" or a percentile at every frame in a few hundred steps instead of 8,000.
struct LoudnessHistogram {
    static let lowestLUFS = -70.0
    static let binsPerLU = 100.0
    static let binCount = 8000  // −70 … +10 LUFS; louder values share the top bin
    static let binsPerGroup = 100
    static let groupCount = binCount / binsPerGroup

    private(set) var counts = [Int](repeating: 0, count: binCount)
    private(set) var energies = [Double](repeating: 0, count: binCount)
    private var groupCounts = [Int](repeating: 0, count: groupCount)
    private var groupEnergies = [Double](repeating: 0, count: groupCount)
    /// Everything counted (for the absolute-gated mean, kept as it comes).
    private(set) var totalCount = 0
    private(set) var totalEnergy = 0.0

    /// Counts a value of `power` (mean square) whose loudness is `loudnessLUFS`; values under
    /// the absolute gate (−70 LUFS) are not counted.
    mutating func add(power: Double, loudnessLUFS: Double) {
        guard loudnessLUFS >= Self.lowestLUFS else { return }
        let bin = min(Self.binCount - 1, Int((loudnessLUFS - Self.lowestLUFS) * Self.binsPerLU))
        counts[bin] += 1
        energies[bin] += power
        groupCounts[bin / Self.binsPerGroup] += 1
        groupEnergies[bin / Self.binsPerGroup] += power
        totalCount += 1
        totalEnergy += power
    }

    /// Adds every value of `other`.
    mutating func merge(_ other: LoudnessHistogram) {
        for bin in 0..<Self.binCount where other.counts[bin] > 0 {
            counts[bin] += other.counts[bin]
            energies[bin] += other.energies[bin]
        }
        for group in 0..<Self.groupCount {
            groupCounts[group] += other.groupCounts[group]
            groupEnergies[group] += other.groupEnergies[group]
        }
        totalCount += other.totalCount
        totalEnergy += other.totalEnergy
    }

    /// Forgets every value.
    mutating func removeAll() {
        self = LoudnessHistogram()
    }

    /// The first bin whose centre is at or above `gateLUFS` (BS.1770: a block at the gate is kept).
    static func firstBin(atOrAbove gateLUFS: Double) -> Int {
        max(0, min(binCount, Int(((gateLUFS - lowestLUFS) * binsPerLU - 0.5).rounded(.up))))
    }

    /// The centre of `bin`, in LUFS.
    static func center(_ bin: Int) -> Double { lowestLUFS + (Double(bin) + 0.5) / binsPerLU }

    /// Count and power of the values whose bin centre is at or above `gateLUFS` (all of them
    /// for nil), bin by bin in ascending order: the loudness decisions use this, so their sums
    /// never depend on the grouping.
    func exactSum(atOrAbove gateLUFS: Double? = nil) -> (count: Int, energy: Double) {
        var count = 0, energy = 0.0
        for bin in 0..<Self.binCount where counts[bin] > 0 {
            if let gateLUFS, Self.center(bin) < gateLUFS { continue }
            count += counts[bin]
            energy += energies[bin]
        }
        return (count, energy)
    }

    /// Count and power of the values in bins `first…`, through the group sums (for meters read
    /// at every frame; equal to `exactSum` but for the order of the additions).
    func fastSum(from first: Int) -> (count: Int, energy: Double) {
        var count = 0, energy = 0.0
        let firstFullGroup = (first + Self.binsPerGroup - 1) / Self.binsPerGroup
        for bin in first..<min(Self.binCount, firstFullGroup * Self.binsPerGroup) {
            count += counts[bin]
            energy += energies[bin]
        }
        for group in firstFullGroup..<Self.groupCount {
            count += groupCounts[group]
            energy += groupEnergies[group]
        }
        return (count, energy)
    }

    /// The bin holding the value of rank `rank` (0-based) among those in bins `first…`.
    func bin(ofRank rank: Int, from first: Int) -> Int {
        var remaining = rank
        var bin = first
        // The partial group first, then whole groups, then bins inside the group that holds it.
        while bin < Self.binCount, bin % Self.binsPerGroup != 0 {
            if remaining < counts[bin] { return bin }
            remaining -= counts[bin]
            bin += 1
        }
        var group = bin / Self.binsPerGroup
        while group < Self.groupCount, remaining >= groupCounts[group] {
            remaining -= groupCounts[group]
            group += 1
        }
        bin = group * Self.binsPerGroup
        while bin < Self.binCount - 1, remaining >= counts[bin] {
            remaining -= counts[bin]
            bin += 1
        }
        return bin
    }
}
