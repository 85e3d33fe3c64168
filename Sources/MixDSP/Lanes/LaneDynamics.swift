/// The per-lane parts of the bank's compressor and de-esser, step for step what
/// `DynamicsStages` does along time for one track: the linked level in dB (peak, or the RMS
/// detector's mean square), the ballistics and the gain computer's reduction, so every lane
/// reads the bits its track's own processor reads (`LaneReductionTally` sums the block's).
struct LaneDynamics {
    /// Lanes whose detector averages the mean square (`LevelDetector.Mode.rms`).
    let rmsLanes: SIMDMask<SIMD8<Int32>>
    let attack: SIMD8<Float>
    let release: SIMD8<Float>
    let rmsCoefficient: SIMD8<Float>
    let rmsComplement: SIMD8<Float>
    let curve: SoftKneeCurve<SIMD8<Float>>
    let maxReduction: SIMD8<Float>
    private(set) var level = SIMD8<Float>(repeating: -200)
    private(set) var meanSquare = SIMD8<Float>.zero

    /// Per-lane detectors and computers (lanes with none get harmless values and are not used).
    init(detectors: [LevelDetector], computers: [GainComputer], maxReductionDB: [Float]) {
        precondition(detectors.count == 8 && computers.count == 8 && maxReductionDB.count == 8)
        var rms = SIMDMask<SIMD8<Int32>>(repeating: false)
        var values = (0..<8).map { _ in SIMD8<Float>() }
        for lane in 0..<8 {
            let (detector, computer) = (detectors[lane], computers[lane])
            rms[lane] = detector.mode == .rms
            values[0][lane] = detector.attackCoefficient
            values[1][lane] = detector.releaseCoefficient
            values[2][lane] = detector.rmsCoefficient
            values[3][lane] = 1 - detector.rmsCoefficient
            values[4][lane] = computer.thresholdDB
            values[5][lane] = computer.kneeDB
            values[6][lane] = computer.ratio
            values[7][lane] = maxReductionDB[lane]
        }
        rmsLanes = rms
        (attack, release, rmsCoefficient, rmsComplement) = (values[0], values[1], values[2], values[3])
        curve = SoftKneeCurve(thresholdDB: values[4], kneeDB: values[5], ratio: values[6])
        maxReduction = values[7]
    }

    /// Per-lane dynamics from each track's (detector, computer, maximum reduction), spread over
    /// its lanes; lanes of tracks without the stage get harmless values and are not used.
    init(layout: LaneLayout, sampleRate: Double, parts: [(LevelDetector, GainComputer, Float)?]) {
        var detectors = [LevelDetector](repeating: LevelDetector(attackMs: 1, releaseMs: 1), count: 8)
        var computers = [GainComputer](repeating: GainComputer(thresholdDB: 0, ratio: 1, kneeDB: 0), count: 8)
        var maximum = [Float](repeating: 0, count: 8)
        for (track, part) in parts.enumerated() {
            guard let (unprepared, computer, cap) = part else { continue }
            var detector = unprepared
            detector.prepare(sampleRate: sampleRate)
            for lane in layout.lanes(ofTrack: track) {
                detectors[lane] = detector
                computers[lane] = computer
                maximum[lane] = cap
            }
        }
        self.init(detectors: detectors, computers: computers, maxReductionDB: maximum)
    }

    mutating func reset() {
        level = SIMD8(repeating: -200)
        meanSquare = .zero
    }

    /// The detector's levels (dB) for `count` frames of `input` into `levels` (which may be
    /// `input`), linked across each stereo pair: one loop with every coefficient and state in a
    /// local, as the processors' own stages run.
    mutating func detect(
        _ input: UnsafePointer<SIMD8<Float>>, into levels: UnsafeMutablePointer<SIMD8<Float>>, count: Int,
        stereo: SIMDMask<SIMD8<Int32>>
    ) {
        // Lane masks as bit patterns (selects by and/or): held in masks' own type they were
        // converted on every use inside the loop.
        let rmsBits = LaneBits(rmsLanes), stereoBits = LaneBits(stereo)
        let (rmsCoefficient, rmsComplement) = (rmsCoefficient, rmsComplement)
        var meanSquare = self.meanSquare
        // The levels in dB first: nothing in this loop waits on the previous frame but the RMS
        // lanes' mean square.
        for i in 0..<count {
            let x = input[i]
            let absX = LaneBits.magnitude(x)
            let partner = stereoBits.select(absX, LaneLayout.swappedHalves(absX))
            let magnitude = absX.replacing(with: partner, where: partner .> absX)
            // The RMS lanes' mean square, as `DynamicsStages.rmsDecibels` (no fused steps). The
            // other lanes keep theirs at zero: left to decay through a silence, it would sink
            // into denormals, which cost the whole vector a hundred cycles a step.
            meanSquare = rmsBits.select(.zero, rmsCoefficient * meanSquare + rmsComplement * magnitude * magnitude)
            let decibels = FastMath.decibels(rmsBits.select(magnitude, meanSquare))
            levels[i] = rmsBits.select(decibels, decibels * 0.5)
        }
        self.meanSquare = meanSquare
        // Then the ballistics, the one recurrence, in a loop of its own.
        let (attack, release) = (attack, release)
        var level = self.level
        for i in 0..<count {
            let inputDB = levels[i]
            level = Ballistics.step(level, toward: inputDB, coefficient: release.replacing(with: attack, where: inputDB .> level))
            levels[i] = level
        }
        self.level = level
    }

    /// Replaces `count` levels (dB) by the gain reduction (dB, ≥ 0) at them, capped at each
    /// lane's maximum.
    func reduce(_ levels: UnsafeMutablePointer<SIMD8<Float>>, count: Int) {
        let (curve, maxReduction) = (curve, maxReduction)
        for i in 0..<count {
            var reduction = curve.reduction(levels[i])
            reduction.replace(with: maxReduction, where: reduction .> maxReduction)
            levels[i] = reduction
        }
    }
}
