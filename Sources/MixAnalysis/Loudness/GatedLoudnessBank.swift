/// BS.1770-4 loudness of several stereo streams fed the same number of frames at a time (a
/// mix's tracks), each stream's reading bit for bit what a `GatedLoudnessMeter` of its own
/// gives. A meter's speed hangs on its filters' recurrence, one sample after another; here two
/// streams share a `SIMD4<Double>` (left, right, left, right) and three such pairs run in one
/// loop, so six streams' recurrences overlap where one meter's waited on itself.
public final class GatedLoudnessBank {
    public let streamCount: Int
    /// Pairs of streams (the last pair of an odd count holds its stream twice).
    private let pairCount: Int
    private let shelf: (b0: SIMD4<Double>, b1: SIMD4<Double>, b2: SIMD4<Double>, a1: SIMD4<Double>, a2: SIMD4<Double>)
    private let highPass: (b0: SIMD4<Double>, b1: SIMD4<Double>, b2: SIMD4<Double>, a1: SIMD4<Double>, a2: SIMD4<Double>)
    /// Per pair: the shelf's and the high-pass's two state vectors, and the energy of the
    /// stretch last run.
    private let shelfStates: UnsafeMutablePointer<SIMD4<Double>>
    private let highPassStates: UnsafeMutablePointer<SIMD4<Double>>
    private let energies: UnsafeMutablePointer<SIMD4<Double>>
    /// Each stream's channels for the block at hand (`add`), lane by lane of each pair.
    private let sources: UnsafeMutablePointer<UnsafePointer<Float>>
    private let stepFrames: Int
    private var stepFilled = 0
    private var gates: [LoudnessGate]

    /// A bank for `streamCount` stereo streams at `sampleRate`.
    public init(streamCount: Int, sampleRate: Int) {
        precondition(streamCount >= 1 && sampleRate >= 8000)
        self.streamCount = streamCount
        pairCount = (streamCount + 1) / 2
        let (shelfStage, highPassStage) = KWeightingStage.design(sampleRate: Double(sampleRate))
        func widened(_ stage: KWeightingStage) -> (SIMD4<Double>, SIMD4<Double>, SIMD4<Double>, SIMD4<Double>, SIMD4<Double>) {
            (SIMD4(repeating: stage.b0[0]), SIMD4(repeating: stage.b1[0]), SIMD4(repeating: stage.b2[0]),
             SIMD4(repeating: stage.a1[0]), SIMD4(repeating: stage.a2[0]))
        }
        shelf = widened(shelfStage)
        highPass = widened(highPassStage)
        shelfStates = .allocate(capacity: 2 * pairCount)
        shelfStates.initialize(repeating: .zero, count: 2 * pairCount)
        highPassStates = .allocate(capacity: 2 * pairCount)
        highPassStates.initialize(repeating: .zero, count: 2 * pairCount)
        energies = .allocate(capacity: pairCount)
        energies.initialize(repeating: .zero, count: pairCount)
        sources = .allocate(capacity: 4 * pairCount)
        stepFrames = KWeightingStage.stepFrameCount(sampleRate: sampleRate)
        gates = Array(repeating: LoudnessGate(), count: streamCount)
    }

    deinit {
        shelfStates.deallocate()
        highPassStates.deallocate()
        energies.deallocate()
        sources.deallocate()
    }

    /// Adds `frameCount` frames of every stream: stream `k`'s at `left[k]`, `right[k]`.
    public func add(left: UnsafePointer<UnsafePointer<Float>>, right: UnsafePointer<UnsafePointer<Float>>, frameCount: Int) {
        for pair in 0..<pairCount {
            let (first, second) = (2 * pair, min(2 * pair + 1, streamCount - 1))
            sources[4 * pair] = left[first]
            sources[4 * pair + 1] = right[first]
            sources[4 * pair + 2] = left[second]
            sources[4 * pair + 3] = right[second]
        }
        var frame = 0
        while frame < frameCount {
            let n = min(frameCount - frame, stepFrames - stepFilled)
            // Three pairs a loop (a batch short of three repeats its last pair: the repeated
            // chains compute and store the same values).
            var pair = 0
            while pair < pairCount {
                let last = pairCount - 1
                filter(pairs: (pair, min(pair + 1, last), min(pair + 2, last)), from: frame, count: n)
                pair += 3
            }
            for stream in 0..<streamCount {
                let energy = energies[stream / 2]
                gates[stream].add(energy: stream % 2 == 0 ? energy[0] + energy[1] : energy[2] + energy[3])
            }
            stepFilled += n
            frame += n
            if stepFilled == stepFrames {
                // As `GatedLoudnessMeter`: states too small to matter are zeroed every 100 ms.
                for index in 0..<(2 * pairCount) {
                    shelfStates[index] = KWeightingStage.flushed(shelfStates[index])
                    highPassStates[index] = KWeightingStage.flushed(highPassStates[index])
                }
                for stream in 0..<streamCount { gates[stream].closeStep(frameCount: stepFrames) }
                stepFilled = 0
            }
        }
    }

    /// Runs three pairs' filters over `count` frames from `offset`, their states in registers,
    /// leaving each pair's energy over the stretch in `energies`.
    private func filter(pairs: (Int, Int, Int), from offset: Int, count: Int) {
        let (sb0, sb1, sb2, sa1, sa2) = shelf
        let (hb0, hb1, hb2, ha1, ha2) = highPass
        let (p, q, r) = pairs
        let (sp, sq, sr) = (sources + 4 * p, sources + 4 * q, sources + 4 * r)
        var (s0p, s1p, h0p, h1p) = (shelfStates[2 * p], shelfStates[2 * p + 1], highPassStates[2 * p], highPassStates[2 * p + 1])
        var (s0q, s1q, h0q, h1q) = (shelfStates[2 * q], shelfStates[2 * q + 1], highPassStates[2 * q], highPassStates[2 * q + 1])
        var (s0r, s1r, h0r, h1r) = (shelfStates[2 * r], shelfStates[2 * r + 1], highPassStates[2 * r], highPassStates[2 * r + 1])
        var (ep, eq, er) = (SIMD4<Double>(), SIMD4<Double>(), SIMD4<Double>())
        for i in offset..<(offset + count) {
            // Each pair exactly as `GatedLoudnessMeter` runs one stream (transposed direct form II).
            let xp = SIMD4<Double>(Double(sp[0][i]), Double(sp[1][i]), Double(sp[2][i]), Double(sp[3][i]))
            let xq = SIMD4<Double>(Double(sq[0][i]), Double(sq[1][i]), Double(sq[2][i]), Double(sq[3][i]))
            let xr = SIMD4<Double>(Double(sr[0][i]), Double(sr[1][i]), Double(sr[2][i]), Double(sr[3][i]))
            let yp = sb0 * xp + s0p, yq = sb0 * xq + s0q, yr = sb0 * xr + s0r
            s0p = sb1 * xp - sa1 * yp + s1p; s0q = sb1 * xq - sa1 * yq + s1q; s0r = sb1 * xr - sa1 * yr + s1r
            s1p = sb2 * xp - sa2 * yp; s1q = sb2 * xq - sa2 * yq; s1r = sb2 * xr - sa2 * yr
            let zp = hb0 * yp + h0p, zq = hb0 * yq + h0q, zr = hb0 * yr + h0r
            h0p = hb1 * yp - ha1 * zp + h1p; h0q = hb1 * yq - ha1 * zq + h1q; h0r = hb1 * yr - ha1 * zr + h1r
            h1p = hb2 * yp - ha2 * zp; h1q = hb2 * yq - ha2 * zq; h1r = hb2 * yr - ha2 * zr
            ep += zp * zp
            eq += zq * zq
            er += zr * zr
        }
        // The last pair stored wins where pairs repeat; all hold the same values then.
        (shelfStates[2 * p], shelfStates[2 * p + 1], highPassStates[2 * p], highPassStates[2 * p + 1]) = (s0p, s1p, h0p, h1p)
        (shelfStates[2 * q], shelfStates[2 * q + 1], highPassStates[2 * q], highPassStates[2 * q + 1]) = (s0q, s1q, h0q, h1q)
        (shelfStates[2 * r], shelfStates[2 * r + 1], highPassStates[2 * r], highPassStates[2 * r + 1]) = (s0r, s1r, h0r, h1r)
        (energies[p], energies[q], energies[r]) = (ep, eq, er)
    }

    /// Stream `stream`'s gated integrated loudness; nil when no block passed the gates.
    public func integratedLUFS(stream: Int) -> Double? {
        gates[stream].integratedLUFS
    }
}
