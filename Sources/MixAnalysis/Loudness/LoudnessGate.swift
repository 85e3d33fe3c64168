import Foundation

/// The gating half of a BS.1770-4 meter, fed the K-weighted energy of a stream: mean squares per
/// 100 ms step, 400 ms gating blocks with 75 % overlap, the absolute (−70 LUFS) and relative
/// (−10 LU) gates, and the momentary (400 ms) and short-term (3 s) windows.
///
/// Gating blocks go into a histogram of 0.01 LU bins that also keeps each bin's exact energy, so
/// memory is fixed however long the song and only a block within 0.01 LU of the relative gate
/// can be classed differently from a list.
struct LoudnessGate {
    static let lowestLUFS = -70.0
    static let binsPerLU = 100.0
    static let binCount = 8000  // −70 … +10 LUFS; louder blocks share the top bin

    /// The current step's energy so far (Σ over its frames of the channels' squares).
    private var stepEnergy = 0.0
    /// The newest 30 steps' mean squares (3 s, the short-term window), oldest overwritten.
    private var recent = [Double](repeating: 0, count: 30)
    private var recentIndex = 0
    private var stepsSeen = 0
    private var binCounts = [Int](repeating: 0, count: LoudnessGate.binCount)
    private var binEnergies = [Double](repeating: 0, count: LoudnessGate.binCount)

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
        let loudness = Self.lufs(power)
        guard loudness >= Self.lowestLUFS else { return }
        let bin = min(Self.binCount - 1, Int((loudness - Self.lowestLUFS) * Self.binsPerLU))
        binCounts[bin] += 1
        binEnergies[bin] += power
    }

    /// Forgets everything measured (between two steps).
    mutating func discard() {
        stepEnergy = 0
        for index in recent.indices { recent[index] = 0 }
        recentIndex = 0
        stepsSeen = 0
        for bin in 0..<Self.binCount {
            binCounts[bin] = 0
            binEnergies[bin] = 0
        }
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
        Self.integratedLUFS(counts: binCounts, energies: binEnergies)
    }

    /// The gated integrated loudness of a stream measured in consecutive parts, one gate each:
    /// the gating blocks of all of them, gated together.
    static func integratedLUFS(combining gates: [LoudnessGate]) -> Double? {
        var counts = [Int](repeating: 0, count: binCount), energies = [Double](repeating: 0, count: binCount)
        for gate in gates {
            for bin in 0..<binCount where gate.binCounts[bin] > 0 {
                counts[bin] += gate.binCounts[bin]
                energies[bin] += gate.binEnergies[bin]
            }
        }
        return integratedLUFS(counts: counts, energies: energies)
    }

    private static func integratedLUFS(counts: [Int], energies: [Double]) -> Double? {
        var count = 0, energy = 0.0
        for bin in 0..<binCount where counts[bin] > 0 {
            count += counts[bin]
            energy += energies[bin]
        }
        guard count > 0 else { return nil }
        let relativeGate = lufs(energy / Double(count)) - 10
        count = 0
        energy = 0
        for bin in 0..<binCount where counts[bin] > 0 {
            let binCenter = lowestLUFS + (Double(bin) + 0.5) / binsPerLU
            guard binCenter >= relativeGate else { continue }
            count += counts[bin]
            energy += energies[bin]
        }
        return count > 0 ? lufs(energy / Double(count)) : nil
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
