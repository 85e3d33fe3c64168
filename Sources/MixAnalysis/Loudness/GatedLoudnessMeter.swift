import Foundation

/// BS.1770-4 loudness of a stereo stream, computed in Swift for the render's own decisions and
/// meters (a track's loudness in the mix, the bus before the master gain, each master pass):
/// K-weighting in double precision on both channels at once, mean squares per 100 ms, 400 ms
/// gating blocks with 75 % overlap, and the absolute (−70 LUFS) and relative (−10 LU) gates.
///
/// Gating blocks go into a histogram of 0.01 LU bins that also keeps each bin's exact energy, so
/// memory is fixed however long the song and only a block within 0.01 LU of the relative gate
/// can be classed differently from a list. The written file is measured by libebur128
/// (`LoudnessMeter`); tests hold the two within 0.02 LU of each other.
public final class GatedLoudnessMeter {
    private static let lowestLUFS = -70.0
    private static let binsPerLU = 100.0
    private static let binCount = 8000  // −70 … +10 LUFS; louder blocks share the top bin

    public let sampleRate: Int
    private let shelf: KWeightingStage
    private let highPass: KWeightingStage
    private var shelfState = (SIMD2<Double>(), SIMD2<Double>())
    private var highPassState = (SIMD2<Double>(), SIMD2<Double>())
    private let subBlockFrameCount: Int
    private var subBlockEnergy = 0.0
    private var subBlockFilled = 0
    /// The newest 30 sub-blocks' mean squares (3 s, the short-term window), oldest overwritten.
    private var recent = [Double](repeating: 0, count: 30)
    private var recentIndex = 0
    private var subBlocksSeen = 0
    private var binCounts: [Int]
    private var binEnergies: [Double]

    public init(sampleRate: Int) {
        precondition(sampleRate >= 8000)
        self.sampleRate = sampleRate
        (shelf, highPass) = KWeightingStage.design(sampleRate: Double(sampleRate))
        subBlockFrameCount = (sampleRate + 5) / 10
        binCounts = [Int](repeating: 0, count: Self.binCount)
        binEnergies = [Double](repeating: 0, count: Self.binCount)
    }

    /// Adds a stereo block.
    public func add(left: UnsafePointer<Float>, right: UnsafePointer<Float>, frameCount: Int) {
        var frame = 0
        while frame < frameCount {
            let n = min(frameCount - frame, subBlockFrameCount - subBlockFilled)
            var energy = SIMD2<Double>()
            var s = shelfState, h = highPassState
            let (sb0, sb1, sb2, sa1, sa2) = (shelf.b0, shelf.b1, shelf.b2, shelf.a1, shelf.a2)
            let (hb0, hb1, hb2, ha1, ha2) = (highPass.b0, highPass.b1, highPass.b2, highPass.a1, highPass.a2)
            for i in frame..<(frame + n) {
                let x = SIMD2<Double>(Double(left[i]), Double(right[i]))
                // Transposed direct form II, both channels in one vector.
                let y = sb0 * x + s.0
                s.0 = sb1 * x - sa1 * y + s.1
                s.1 = sb2 * x - sa2 * y
                let z = hb0 * y + h.0
                h.0 = hb1 * y - ha1 * z + h.1
                h.1 = hb2 * y - ha2 * z
                energy += z * z
            }
            shelfState = s
            highPassState = h
            subBlockEnergy += energy.sum()
            subBlockFilled += n
            frame += n
            if subBlockFilled == subBlockFrameCount { closeSubBlock() }
        }
    }

    private func closeSubBlock() {
        // A filter left ringing down through a long silence would sink into denormals (a
        // hundred times slower on x86): states too small to matter are zeroed every 100 ms, at
        // positions fixed in the stream, whatever the blocks.
        shelfState = (Self.flushed(shelfState.0), Self.flushed(shelfState.1))
        highPassState = (Self.flushed(highPassState.0), Self.flushed(highPassState.1))
        recent[recentIndex] = subBlockEnergy / Double(subBlockFrameCount)
        recentIndex = (recentIndex + 1) % recent.count
        subBlocksSeen += 1
        subBlockEnergy = 0
        subBlockFilled = 0
        guard subBlocksSeen >= 4 else { return }
        let power = meanOfNewest(4)
        let loudness = Self.lufs(power)
        guard loudness >= Self.lowestLUFS else { return }
        let bin = min(Self.binCount - 1, Int((loudness - Self.lowestLUFS) * Self.binsPerLU))
        binCounts[bin] += 1
        binEnergies[bin] += power
    }

    private static func flushed(_ v: SIMD2<Double>) -> SIMD2<Double> {
        v.replacing(with: 0, where: (v .< 1e-30) .& (v .> -1e-30))
    }

    private func meanOfNewest(_ count: Int) -> Double {
        var sum = 0.0
        for back in 1...count { sum += recent[(recentIndex - back + recent.count) % recent.count] }
        return sum / Double(count)
    }

    private static func lufs(_ power: Double) -> Double {
        power > 0 ? -0.691 + 10 * log10(power) : -.infinity
    }

    /// Gated integrated loudness; nil when no block passed the gates.
    public var integratedLUFS: Double? {
        Self.integratedLUFS(counts: binCounts, energies: binEnergies)
    }

    /// The gated integrated loudness of a stream measured in consecutive parts, one meter each:
    /// the gating blocks of all of them, gated together.
    public static func integratedLUFS(combining meters: [GatedLoudnessMeter]) -> Double? {
        var counts = [Int](repeating: 0, count: binCount), energies = [Double](repeating: 0, count: binCount)
        for meter in meters {
            for bin in 0..<binCount where meter.binCounts[bin] > 0 {
                counts[bin] += meter.binCounts[bin]
                energies[bin] += meter.binEnergies[bin]
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

    /// Frames in one 100 ms step (gating blocks are four of them, a new one every step).
    public var stepFrameCount: Int { subBlockFrameCount }

    /// Forgets every loudness measured so far but keeps the K-weighting filters' state: the
    /// audio before this point only warmed them up. Call it between two 100 ms steps (after a
    /// multiple of `stepFrameCount` frames). With a meter for each part of a stream, each
    /// starting three steps before its part and forgetting what came before, every gating block
    /// of the stream is counted once, by the meter of the part where it ends.
    public func discardMeasurements() {
        precondition(subBlockFilled == 0, "discardMeasurements between 100 ms steps only")
        subBlockEnergy = 0
        for index in recent.indices { recent[index] = 0 }
        recentIndex = 0
        subBlocksSeen = 0
        for bin in 0..<Self.binCount {
            binCounts[bin] = 0
            binEnergies[bin] = 0
        }
    }

    /// Loudness of the newest 400 ms; nil for silence.
    public var momentaryLUFS: Double? {
        let value = Self.lufs(meanOfNewest(4))
        return value.isFinite ? value : nil
    }

    /// Loudness of the newest 3 s; nil for silence.
    public var shortTermLUFS: Double? {
        let value = Self.lufs(meanOfNewest(30))
        return value.isFinite ? value : nil
    }
}

/// One K-weighting biquad (BS.1770-4 Annex 1), designed for any rate from the analogue
/// prototypes behind the standard's 48 kHz coefficients.
struct KWeightingStage {
    let b0: SIMD2<Double>, b1: SIMD2<Double>, b2: SIMD2<Double>, a1: SIMD2<Double>, a2: SIMD2<Double>

    init(b0: Double, b1: Double, b2: Double, a1: Double, a2: Double) {
        (self.b0, self.b1, self.b2) = (SIMD2(repeating: b0), SIMD2(repeating: b1), SIMD2(repeating: b2))
        (self.a1, self.a2) = (SIMD2(repeating: a1), SIMD2(repeating: a2))
    }

    /// The head-effect high shelf (+4 dB above ~1.7 kHz) and the RLB high-pass (~38 Hz).
    static func design(sampleRate: Double) -> (shelf: KWeightingStage, highPass: KWeightingStage) {
        // Shelf: centre 1681.97 Hz, +4.0 dB, Q 0.7072 (bilinear transform with prewarping).
        var k = tan(Double.pi * 1681.974450955533 / sampleRate)
        var q = 0.7071752369554196
        let highGain = pow(10, 3.999843853973347 / 20)
        let bandGain = pow(highGain, 0.4996667741545416)
        var a0 = 1 + k / q + k * k
        let shelf = KWeightingStage(
            b0: (highGain + bandGain * k / q + k * k) / a0, b1: 2 * (k * k - highGain) / a0,
            b2: (highGain - bandGain * k / q + k * k) / a0, a1: 2 * (k * k - 1) / a0, a2: (1 - k / q + k * k) / a0)
        // High-pass: 38.135 Hz, Q 0.5003, unity gain in the passband.
        k = tan(Double.pi * 38.13547087602444 / sampleRate)
        q = 0.5003270373238773
        a0 = 1 + k / q + k * k
        let highPass = KWeightingStage(b0: 1, b1: -2, b2: 1, a1: 2 * (k * k - 1) / a0, a2: (1 - k / q + k * k) / a0)
        return (shelf, highPass)
    }
}
