import Foundation

/// A bell cut on a stereo signal whose depth follows a key: room for a lead vocal in a dense
/// beat. Both are measured in the bell's band (an RBJ band-pass on each one's mid, mean squares
/// over 32-frame control blocks, smoothed over `detectorMs`); while the key is above
/// `keyGateDB` there, and the target's band sits less than `marginDB` under the key's, the bell
/// cuts half the difference, never more than `maxReductionDB`, with attack and release
/// ballistics. Where the key is silent the cut releases to nothing: the beat is untouched
/// between the lead's phrases.
///
/// Control blocks are counted from `reset`, never from the caller's block boundaries, so the
/// output does not depend on how the signal is cut into blocks.
public final class KeyedDynamicBell {
    public struct Settings: Sendable, Equatable, Codable {
        /// The bell's centre and Q (0.8 at 2.5 kHz spans about 1.3–4.6 kHz, where a voice's
        /// intelligibility lives).
        public var frequencyHz: Double
        public var q: Double
        /// The deepest cut, dB (positive).
        public var maxReductionDB: Double
        /// How far under the key's band level the target's is left alone, dB.
        public var marginDB: Double

        public init(frequencyHz: Double = 2500, q: Double = 0.8, maxReductionDB: Double = 3, marginDB: Double = 6) {
            (self.frequencyHz, self.q, self.maxReductionDB, self.marginDB) = (frequencyHz, q, maxReductionDB, marginDB)
        }

        public func validate() throws {
            try SettingsError.check(frequencyHz, "frequencyHz", in: 200...12_000, unit: "Hz")
            try SettingsError.check(q, "q", in: 0.2...4)
            try SettingsError.check(maxReductionDB, "maxReductionDB", in: 0...12, unit: "dB")
            try SettingsError.check(marginDB, "marginDB", in: -12...24, unit: "dB")
        }
    }

    /// Frames between two decisions.
    public static let controlFrames = 32
    /// The key's band level under which it counts as silent (dBFS, mean square of the mid).
    public static let keyGateDB = -50.0
    /// The band detectors' smoothing, and the cut's ballistics.
    public static let detectorMs = 30.0
    public static let attackMs = 15.0
    public static let releaseMs = 150.0
    /// The share of the excess that is cut (the rest stays: a dip, not a hole).
    public static let cutShare = 0.5

    public let settings: Settings
    private let sampleRate: Double
    private var detector = BiquadKernel<SIMD2<Float>>()
    private var bell = StereoBiquad()
    private let detectorCoefficient: Double
    private let attackCoefficient: Double
    private let releaseCoefficient: Double
    /// Band mean squares (key, target) of the block so far, and smoothed.
    private var blockEnergy = SIMD2<Double>()
    private var bandPower = SIMD2<Double>()
    private var blockFilled = 0
    private var framesSinceReset = 0
    /// The cut now applied, dB (positive).
    private var reductionDB = 0.0
    private var bellReductionDB = 0.0
    /// The deepest and mean cut over the last `process` call.
    public private(set) var lastGainReduction = GainReductionReadout()

    public init(_ settings: Settings, sampleRate: Double) throws {
        try settings.validate()
        self.settings = settings
        self.sampleRate = sampleRate
        detector.setCoefficients(BiquadCoefficients.bandPass(centerHz: settings.frequencyHz, q: settings.q, sampleRate: sampleRate))
        let blockSeconds = Double(Self.controlFrames) / sampleRate
        detectorCoefficient = exp(-blockSeconds / (Self.detectorMs / 1000))
        attackCoefficient = exp(-blockSeconds / (Self.attackMs / 1000))
        releaseCoefficient = exp(-blockSeconds / (Self.releaseMs / 1000))
    }

    /// Back to silence: no cut, detectors and filters at rest.
    public func reset() {
        detector.reset()
        bell = StereoBiquad()
        (blockEnergy, bandPower, blockFilled, framesSinceReset) = (.zero, .zero, 0, 0)
        (reductionDB, bellReductionDB) = (0, 0)
        lastGainReduction = GainReductionReadout()
    }

    /// Cuts `target` (in place) as `key` asks, over `frameCount` frames.
    public func process(
        target: (left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>),
        key: (left: UnsafePointer<Float>, right: UnsafePointer<Float>), frameCount: Int
    ) {
        var (maxDB, sumDB) = (0.0, 0.0)
        for i in 0..<frameCount {
            let mids = SIMD2<Float>(0.5 * (key.left[i] + key.right[i]), 0.5 * (target.left[i] + target.right[i]))
            let band = detector.process(mids)
            blockEnergy += SIMD2<Double>(Double(band[0] * band[0]), Double(band[1] * band[1]))
            let out = bell.process(SIMD2(target.left[i], target.right[i]))
            target.left[i] = out[0]
            target.right[i] = out[1]
            sumDB += bellReductionDB
            maxDB = max(maxDB, bellReductionDB)
            blockFilled += 1
            framesSinceReset += 1
            if framesSinceReset % Denormals.interval == 0 {
                detector.flushState()
                bell.flushState()
            }
            if blockFilled == Self.controlFrames { decide() }
        }
        lastGainReduction = GainReductionReadout(
            maxDB: Float(maxDB), meanDB: frameCount > 0 ? Float(sumDB / Double(frameCount)) : 0)
    }

    /// End of a control block: the band levels, the cut they ask for, the bell that makes it.
    private func decide() {
        let meanSquares = blockEnergy / Double(Self.controlFrames)
        bandPower = meanSquares + SIMD2(repeating: detectorCoefficient) * (bandPower - meanSquares)
        (blockEnergy, blockFilled) = (.zero, 0)
        let keyDB = 10 * log10(bandPower[0] + 1e-30)
        let targetDB = 10 * log10(bandPower[1] + 1e-30)
        var wanted = 0.0
        if keyDB > Self.keyGateDB {
            let excess = targetDB - (keyDB - settings.marginDB)
            wanted = min(settings.maxReductionDB, max(0, Self.cutShare * excess))
        }
        let coefficient = wanted > reductionDB ? attackCoefficient : releaseCoefficient
        reductionDB = wanted + coefficient * (reductionDB - wanted)
        // Under a hundredth of a dB the bell is an identity: exactly, not nearly.
        let applied = reductionDB < 0.01 ? 0 : reductionDB
        if applied != bellReductionDB {
            bellReductionDB = applied
            bell.setCoefficients(
                applied == 0
                    ? .identity
                    : BiquadCoefficients.bell(centerHz: settings.frequencyHz, q: settings.q, gainDB: -applied, sampleRate: sampleRate))
        }
    }
}
