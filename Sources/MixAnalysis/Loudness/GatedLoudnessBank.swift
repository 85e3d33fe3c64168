/// BS.1770-4 loudness of several stereo streams fed the same number of frames at a time (a
/// mix's tracks), each stream's reading bit for bit what a `GatedLoudnessMeter` of its own
/// gives. A meter's speed hangs on its filters' recurrence, one sample after another; here two
/// streams share a `SIMD4<Double>` (left, right, left, right) and three such pairs run in one
/// loop, so six streams' recurrences overlap where one meter's waited on itself.
public final class GatedLoudnessBank {
    /// One K-weighting biquad's coefficients, in every lane.
    private struct Coefficients {
        let b0: SIMD4<Double>, b1: SIMD4<Double>, b2: SIMD4<Double>, a1: SIMD4<Double>, a2: SIMD4<Double>

        init(_ stage: KWeightingStage) {
            (b0, b1, b2) = (SIMD4(repeating: stage.b0[0]), SIMD4(repeating: stage.b1[0]), SIMD4(repeating: stage.b2[0]))
            (a1, a2) = (SIMD4(repeating: stage.a1[0]), SIMD4(repeating: stage.a2[0]))
        }
    }

    /// A pair's filter states (transposed direct form II: two per biquad), and its energy over
    /// the stretch last run.
    private struct PairState {
        var shelf0 = SIMD4<Double>(), shelf1 = SIMD4<Double>()
        var highPass0 = SIMD4<Double>(), highPass1 = SIMD4<Double>()
        var energy = SIMD4<Double>()
    }

    public let streamCount: Int
    /// Pairs of streams (the last pair of an odd count holds its stream twice).
    private let pairCount: Int
    private let shelf: Coefficients
    private let highPass: Coefficients
    private let states: UnsafeMutablePointer<PairState>
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
        shelf = Coefficients(shelfStage)
        highPass = Coefficients(highPassStage)
        states = .allocate(capacity: pairCount)
        states.initialize(repeating: PairState(), count: pairCount)
        sources = .allocate(capacity: 4 * pairCount)
        stepFrames = KWeightingStage.stepFrameCount(sampleRate: sampleRate)
        gates = Array(repeating: LoudnessGate(), count: streamCount)
    }

    deinit {
        states.deallocate()
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
                let energy = states[stream / 2].energy
                gates[stream].add(energy: stream % 2 == 0 ? energy[0] + energy[1] : energy[2] + energy[3])
            }
            stepFilled += n
            frame += n
            if stepFilled == stepFrames {
                // As `GatedLoudnessMeter`: states too small to matter are zeroed every 100 ms.
                for pair in 0..<pairCount {
                    states[pair].shelf0 = KWeightingStage.flushed(states[pair].shelf0)
                    states[pair].shelf1 = KWeightingStage.flushed(states[pair].shelf1)
                    states[pair].highPass0 = KWeightingStage.flushed(states[pair].highPass0)
                    states[pair].highPass1 = KWeightingStage.flushed(states[pair].highPass1)
                }
                for stream in 0..<streamCount { gates[stream].closeStep(frameCount: stepFrames) }
                stepFilled = 0
            }
        }
    }

    /// Runs three pairs' filters over `count` frames from `offset`, their states in registers,
    /// leaving each pair's energy over the stretch in its state.
    private func filter(pairs: (Int, Int, Int), from offset: Int, count: Int) {
        let (shelf, highPass) = (shelf, highPass)
        let (p, q, r) = pairs
        let (sp, sq, sr) = (sources + 4 * p, sources + 4 * q, sources + 4 * r)
        var (a, b, c) = (states[p], states[q], states[r])
        (a.energy, b.energy, c.energy) = (.zero, .zero, .zero)
        @inline(__always)
        func step(_ x: SIMD4<Double>, _ state: inout PairState) {
            // Exactly as `GatedLoudnessMeter` runs one stream.
            let y = shelf.b0 * x + state.shelf0
            state.shelf0 = shelf.b1 * x - shelf.a1 * y + state.shelf1
            state.shelf1 = shelf.b2 * x - shelf.a2 * y
            let z = highPass.b0 * y + state.highPass0
            state.highPass0 = highPass.b1 * y - highPass.a1 * z + state.highPass1
            state.highPass1 = highPass.b2 * y - highPass.a2 * z
            state.energy += z * z
        }
        for i in offset..<(offset + count) {
            step(SIMD4(Double(sp[0][i]), Double(sp[1][i]), Double(sp[2][i]), Double(sp[3][i])), &a)
            step(SIMD4(Double(sq[0][i]), Double(sq[1][i]), Double(sq[2][i]), Double(sq[3][i])), &b)
            step(SIMD4(Double(sr[0][i]), Double(sr[1][i]), Double(sr[2][i]), Double(sr[3][i])), &c)
        }
        // Where pairs repeat, the last store wins; all hold the same values then.
        (states[p], states[q], states[r]) = (a, b, c)
    }

    /// Stream `stream`'s gated integrated loudness; nil when no block passed the gates.
    public func integratedLUFS(stream: Int) -> Double? {
        gates[stream].integratedLUFS
    }
}
