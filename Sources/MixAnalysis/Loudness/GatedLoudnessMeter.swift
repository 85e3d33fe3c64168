import Foundation
import MixDSP

/// BS.1770-4 loudness of a stereo stream, computed in Swift for the render's own decisions and
/// meters (a stem's loudness for the match, the bus before the master gain, each master pass,
/// the master's momentary and short-term readings): K-weighting in double precision on both
/// channels at once, then the gates (`LoudnessGate`). The written file is measured by libebur128
/// (`LoudnessMeter`); tests hold the two within 0.02 LU of each other. Several streams fed
/// together (the tracks): `GatedLoudnessBank`, whose pairs run this loop lane for lane. One
/// stream is not a bank of one: there its `SIMD4<Double>` (two lanes repeated) was split apart by
/// the optimizer, and the meter ran at 6.0 ns a frame where this loop takes 2.6.
public final class GatedLoudnessMeter {
    public let sampleRate: Int
    private let shelf: KWeightingStage
    private let highPass: KWeightingStage
    private var shelfState = (SIMD2<Double>(), SIMD2<Double>())
    private var highPassState = (SIMD2<Double>(), SIMD2<Double>())
    private let stepFrames: Int
    private var stepFilled = 0
    private var gate: LoudnessGate

    /// A meter at `sampleRate`; with `measuresRange`, it also keeps the short-term values the
    /// loudness range needs (another 128 KB of histogram).
    public init(sampleRate: Int, measuresRange: Bool = false) {
        precondition(sampleRate >= 8000)
        self.sampleRate = sampleRate
        gate = LoudnessGate(measuresRange: measuresRange)
        (shelf, highPass) = KWeightingStage.design(sampleRate: Double(sampleRate))
        stepFrames = KWeightingStage.stepFrameCount(sampleRate: sampleRate)
    }

    /// Adds a stereo block.
    public func add(left: UnsafePointer<Float>, right: UnsafePointer<Float>, frameCount: Int) {
        var frame = 0
        while frame < frameCount {
            let n = min(frameCount - frame, stepFrames - stepFilled)
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
            gate.add(energy: energy.sum())
            stepFilled += n
            frame += n
            if stepFilled == stepFrames {
                // A filter left ringing down through a long silence would sink into denormals
                // (a hundred times slower on x86): states too small to matter are zeroed every
                // 100 ms, at positions fixed in the stream, whatever the blocks.
                shelfState = (KWeightingStage.flushed(shelfState.0), KWeightingStage.flushed(shelfState.1))
                highPassState = (KWeightingStage.flushed(highPassState.0), KWeightingStage.flushed(highPassState.1))
                gate.closeStep(frameCount: stepFrames)
                stepFilled = 0
            }
        }
    }

    /// Gated integrated loudness; nil when no block passed the gates.
    public var integratedLUFS: Double? { gate.integratedLUFS }

    /// The gated integrated loudness of a stream measured in consecutive parts, one meter each:
    /// the gating blocks of all of them, gated together.
    public static func integratedLUFS(combining meters: [GatedLoudnessMeter]) -> Double? {
        LoudnessGate.integratedLUFS(combining: meters.map(\.gate))
    }

    /// Frames in one 100 ms step (gating blocks are four of them, a new one every step).
    public var stepFrameCount: Int { stepFrames }

    /// Forgets every loudness measured so far but keeps the K-weighting filters' state: the
    /// audio before this point only warmed them up. Call it between two 100 ms steps (after a
    /// multiple of `stepFrameCount` frames). With a meter for each part of a stream, each
    /// starting three steps before its part and forgetting what came before, every gating block
    /// of the stream is counted once, by the meter of the part where it ends.
    public func discardMeasurements() {
        precondition(stepFilled == 0, "discardMeasurements between 100 ms steps only")
        gate.discard()
    }

    /// The integrated loudness so far, for a meter read at every frame (the same value as
    /// `integratedLUFS` but for the order of its additions, in a few hundred steps).
    public var runningIntegratedLUFS: Double? { gate.runningIntegratedLUFS }

    /// Loudness range (EBU Tech 3342) so far, in LU; nil until 3 s are in, or when the meter was
    /// made without `measuresRange`.
    public var loudnessRangeLU: Double? { gate.loudnessRangeLU }

    /// Loudness of the newest 400 ms; nil for silence.
    public var momentaryLUFS: Double? { gate.momentaryLUFS }

    /// Loudness of the newest 3 s; nil for silence.
    public var shortTermLUFS: Double? { gate.shortTermLUFS }
}

/// One K-weighting biquad (BS.1770-4 Annex 1), designed for any rate from the analogue
/// prototypes behind the standard's 48 kHz coefficients.
struct KWeightingStage {
    let b0: SIMD2<Double>, b1: SIMD2<Double>, b2: SIMD2<Double>, a1: SIMD2<Double>, a2: SIMD2<Double>

    init(b0: Double, b1: Double, b2: Double, a1: Double, a2: Double) {
        (self.b0, self.b1, self.b2) = (SIMD2(repeating: b0), SIMD2(repeating: b1), SIMD2(repeating: b2))
        (self.a1, self.a2) = (SIMD2(repeating: a1), SIMD2(repeating: a2))
    }

    /// Frames in one 100 ms step at `sampleRate`.
    static func stepFrameCount(sampleRate: Int) -> Int { (sampleRate + 5) / 10 }

    /// `v` with lanes too small to matter set to zero (`Denormals`).
    @inline(__always)
    static func flushed(_ v: SIMD2<Double>) -> SIMD2<Double> { Denormals.flushed(v) }

    /// `v` with lanes too small to matter set to zero (`Denormals`).
    @inline(__always)
    static func flushed(_ v: SIMD4<Double>) -> SIMD4<Double> { Denormals.flushed(v) }

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
