import MixDSP

/// The BS.1770-4 integrated loudness of any gain-weighted sum of a few stereo streams (a mix's
/// groups: the lead, the backing vocals, the beat), from one pass over the streams, so a blend's
/// gains can be chosen by the loudness they give before the blend is made.
///
/// K-weighting is linear: the K-weighted energy of Σₖ gₖ·xₖ over a 100 ms step is
/// Σⱼₖ gⱼ·gₖ·⟨Kxⱼ, Kxₖ⟩ (the inner products over the step's frames, both channels). Each step's
/// inner products (ten numbers for four streams, every 100 ms: 4 KB a minute) are kept; any gains
/// then give each step's energy, and the gates run over those exactly as a meter on the sum would
/// (`integratedLUFS(gains:)` agrees with a `GatedLoudnessMeter` fed the summed audio).
public final class BlendLoudness {
    public static let maxStreamCount = 4
    /// The stream pairs (j, k) whose inner products each step keeps, in storage order: the four
    /// streams' own energies, then the six cross terms.
    private static let pairs: [(Int, Int)] = [(0, 0), (1, 1), (2, 2), (3, 3), (0, 1), (1, 2), (2, 3), (3, 0), (0, 2), (1, 3)]

    public let streamCount: Int
    private let shelf: (b0: SIMD8<Double>, b1: SIMD8<Double>, b2: SIMD8<Double>, a1: SIMD8<Double>, a2: SIMD8<Double>)
    private let highPass: (b0: SIMD8<Double>, b1: SIMD8<Double>, b2: SIMD8<Double>, a1: SIMD8<Double>, a2: SIMD8<Double>)
    /// Transposed direct form II states; lanes (L₀, R₀, L₁, R₁, L₂, R₂, L₃, R₃).
    private var shelfState = (SIMD8<Double>(), SIMD8<Double>())
    private var highPassState = (SIMD8<Double>(), SIMD8<Double>())
    /// The current step's sums: z·z, z·(z two lanes on), z·(z four lanes on).
    private var products = (SIMD8<Double>(), SIMD8<Double>(), SIMD8<Double>())
    private let stepFrames: Int
    private var stepFilled = 0
    /// Each closed step's inner products, `pairs.count` a step.
    private var steps: [Double] = []
    /// What a missing stream's channels read.
    private let silence: UnsafeMutablePointer<Float>

    /// A meter of `streamCount` (1–4) stereo streams at `sampleRate`, with room kept for
    /// `expectedFrameCount` frames (the song's length, when known: no allocation while it runs).
    public init(streamCount: Int, sampleRate: Int, expectedFrameCount: Int = 0) {
        precondition((1...Self.maxStreamCount).contains(streamCount) && sampleRate >= 8000)
        self.streamCount = streamCount
        let (shelfStage, highPassStage) = KWeightingStage.design(sampleRate: Double(sampleRate))
        func splat(_ stage: KWeightingStage) -> (SIMD8<Double>, SIMD8<Double>, SIMD8<Double>, SIMD8<Double>, SIMD8<Double>) {
            (SIMD8(repeating: stage.b0[0]), SIMD8(repeating: stage.b1[0]), SIMD8(repeating: stage.b2[0]),
             SIMD8(repeating: stage.a1[0]), SIMD8(repeating: stage.a2[0]))
        }
        shelf = splat(shelfStage)
        highPass = splat(highPassStage)
        stepFrames = KWeightingStage.stepFrameCount(sampleRate: sampleRate)
        steps.reserveCapacity((expectedFrameCount / stepFrames + 1) * Self.pairs.count)
        silence = .allocate(capacity: 1)
        silence.initialize(to: 0)
    }

    deinit {
        silence.deallocate()
    }

    /// Adds `frameCount` frames of every stream: stream `k`'s channels at `left[k]`, `right[k]`.
    public func add(left: UnsafePointer<UnsafePointer<Float>>, right: UnsafePointer<UnsafePointer<Float>>, frameCount: Int) {
        // A stream this meter was not made for reads silence: one zero, its stride 0.
        let quiet = UnsafePointer(silence)
        func channel(_ pointers: UnsafePointer<UnsafePointer<Float>>, _ stream: Int) -> UnsafePointer<Float> {
            stream < streamCount ? pointers[stream] : quiet
        }
        let (l0, l1, l2, l3) = (channel(left, 0), channel(left, 1), channel(left, 2), channel(left, 3))
        let (r0, r1, r2, r3) = (channel(right, 0), channel(right, 1), channel(right, 2), channel(right, 3))
        let (s0, s1, s2, s3) = (1, streamCount > 1 ? 1 : 0, streamCount > 2 ? 1 : 0, streamCount > 3 ? 1 : 0)
        var frame = 0
        while frame < frameCount {
            let n = min(frameCount - frame, stepFrames - stepFilled)
            var (sa, sb) = shelfState
            var (ha, hb) = highPassState
            var (p0, p2, p4) = products
            for i in frame..<(frame + n) {
                let x = SIMD8<Double>(
                    Double(l0[i * s0]), Double(r0[i * s0]), Double(l1[i * s1]), Double(r1[i * s1]),
                    Double(l2[i * s2]), Double(r2[i * s2]), Double(l3[i * s3]), Double(r3[i * s3]))
                // As `GatedLoudnessMeter` runs one stream, eight channels at once.
                let y = shelf.b0 * x + sa
                sa = shelf.b1 * x - shelf.a1 * y + sb
                sb = shelf.b2 * x - shelf.a2 * y
                let z = highPass.b0 * y + ha
                ha = highPass.b1 * y - highPass.a1 * z + hb
                hb = highPass.b2 * y - highPass.a2 * z
                let twoOn = SIMD8(z[2], z[3], z[4], z[5], z[6], z[7], z[0], z[1])
                let fourOn = SIMD8(z[4], z[5], z[6], z[7], z[0], z[1], z[2], z[3])
                p0 += z * z
                p2 += z * twoOn
                p4 += z * fourOn
            }
            shelfState = (sa, sb)
            highPassState = (ha, hb)
            products = (p0, p2, p4)
            stepFilled += n
            frame += n
            if stepFilled == stepFrames { closeStep() }
        }
    }

    private func closeStep() {
        let (p0, p2, p4) = products
        // Both channels of stream k sit in lanes 2k and 2k + 1.
        func channels(_ v: SIMD8<Double>, _ stream: Int) -> Double { v[2 * stream] + v[2 * stream + 1] }
        for stream in 0..<Self.maxStreamCount { steps.append(channels(p0, stream)) }
        for stream in 0..<Self.maxStreamCount { steps.append(channels(p2, stream)) }
        steps.append(channels(p4, 0))
        steps.append(channels(p4, 1))
        products = (.zero, .zero, .zero)
        // As the meters: states too small to matter are zeroed every 100 ms.
        shelfState = (Denormals.flushed(shelfState.0), Denormals.flushed(shelfState.1))
        highPassState = (Denormals.flushed(highPassState.0), Denormals.flushed(highPassState.1))
        stepFilled = 0
    }

    /// The gated integrated loudness of Σₖ `gains[k]`·streamₖ (amplitude gains, one per stream);
    /// nil when no gating block of that sum passes the gates.
    public func integratedLUFS(gains: [Double]) -> Double? {
        precondition(gains.count == streamCount)
        var g = [Double](repeating: 0, count: Self.maxStreamCount)
        for (stream, gain) in gains.enumerated() { g[stream] = gain }
        // Each pair's weight in a step's energy: g², or 2·gⱼ·gₖ for a cross term.
        let weights = Self.pairs.map { j, k in (j == k ? 1 : 2) * g[j] * g[k] }
        var gate = LoudnessGate()
        let pairCount = Self.pairs.count
        var offset = 0
        while offset < steps.count {
            var energy = 0.0
            for pair in 0..<pairCount { energy += weights[pair] * steps[offset + pair] }
            // Rounding can leave a silent step a hair under zero.
            gate.add(energy: max(0, energy))
            gate.closeStep(frameCount: stepFrames)
            offset += pairCount
        }
        return gate.integratedLUFS
    }

    /// Stream `stream`'s own integrated loudness.
    public func integratedLUFS(stream: Int) -> Double? {
        integratedLUFS(gains: (0..<streamCount).map { $0 == stream ? 1 : 0 })
    }
}
