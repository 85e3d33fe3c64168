/// A feed-forward compressor built from parts (chowdsp): a stereo-linked `LevelDetector`, a
/// `GainComputer` with a soft knee, and a gain stage with ramped makeup. Reports its gain
/// reduction per block.
public final class Compressor: AudioProcessor {
    /// The compressor's settings, validated when set.
    public struct Settings: Sendable, Equatable, Codable {
        public var thresholdDB: Double
        public var ratio: Double
        public var kneeDB: Double
        public var attackMs: Double
        public var releaseMs: Double
        public var makeupDB: Double
        public var detector: LevelDetector.Mode

        public init(
            thresholdDB: Double = -18, ratio: Double = 3, kneeDB: Double = 6, attackMs: Double = 10,
            releaseMs: Double = 120, makeupDB: Double = 0, detector: LevelDetector.Mode = .peak
        ) {
            self.thresholdDB = thresholdDB
            self.ratio = ratio
            self.kneeDB = kneeDB
            self.attackMs = attackMs
            self.releaseMs = releaseMs
            self.makeupDB = makeupDB
            self.detector = detector
        }

        public func validate() throws {
            try SettingsError.check(thresholdDB, "thresholdDB", in: -80...0, unit: "dB")
            try SettingsError.check(ratio, "ratio", in: 1...100)
            try SettingsError.check(kneeDB, "kneeDB", in: 0...24, unit: "dB")
            try SettingsError.check(attackMs, "attackMs", in: 0.01...1000, unit: "ms")
            try SettingsError.check(releaseMs, "releaseMs", in: 1...5000, unit: "ms")
            try SettingsError.check(makeupDB, "makeupDB", in: -24...24, unit: "dB")
        }
    }

    public private(set) var settings: Settings
    /// Gain reduction over the last block.
    public private(set) var lastGainReduction = GainReductionReadout()
    private var detector: LevelDetector
    private var computer: GainComputer
    private var makeupDB = RampedValue(0)
    private var sampleRate = 48_000.0
    /// Per-sample levels, then gain reductions, for the block (sized in `prepare`).
    private var scratch: [Float] = []

    public init(_ settings: Settings = Settings()) throws {
        try settings.validate()
        self.settings = settings
        detector = LevelDetector(mode: settings.detector, attackMs: settings.attackMs, releaseMs: settings.releaseMs)
        computer = GainComputer(
            thresholdDB: Float(settings.thresholdDB), ratio: Float(settings.ratio), kneeDB: Float(settings.kneeDB))
        makeupDB = RampedValue(Float(settings.makeupDB))
    }

    /// Changes the settings (validated first; nothing changes on error). Makeup ramps.
    public func update(_ newSettings: Settings) throws {
        try newSettings.validate()
        settings = newSettings
        detector.mode = newSettings.detector
        detector.setTimes(attackMs: newSettings.attackMs, releaseMs: newSettings.releaseMs)
        detector.prepare(sampleRate: sampleRate)
        computer = GainComputer(
            thresholdDB: Float(newSettings.thresholdDB), ratio: Float(newSettings.ratio), kneeDB: Float(newSettings.kneeDB))
        makeupDB.setTarget(Float(newSettings.makeupDB))
    }

    public func prepare(_ spec: ProcessSpec) {
        sampleRate = spec.sampleRate
        detector.prepare(sampleRate: spec.sampleRate)
        makeupDB.prepare(sampleRate: spec.sampleRate, rampMs: 20)
        scratch = [Float](repeating: 0, count: spec.maxFrameCount)
        reset()
    }

    public func reset() {
        detector.reset()
        makeupDB.settle()
        lastGainReduction = GainReductionReadout()
    }

    public func process(_ block: AudioBlock) {
        let count = block.frameCount
        precondition(count <= scratch.count, "Compressor: block larger than prepared (or not prepared)")
        let (left, right) = (block.left, block.right)
        var makeup = self.makeupDB
        scratch.withUnsafeMutableBufferPointer { scratch in
            let levels = scratch.baseAddress!
            // Decibels and gains eight at a time; only the detector's ballistics are serial.
            if detector.mode == .peak {
                DynamicsStages.linkedDecibels(left, right, into: levels, count: count)
                DynamicsStages.peakBallistics(levels, count: count, detector: &detector)
            } else {
                DynamicsStages.rmsDecibels(left, right, into: levels, count: count, detector: &detector)
                DynamicsStages.peakBallistics(levels, count: count, detector: &detector)
            }
            let (largest, total) = DynamicsStages.gainReduction(levels, count: count, computer: computer, maxReductionDB: .infinity)
            let stereo = block.channelCount == 2
            if makeup.isRamping {
                for i in 0..<count {
                    let gain = FastMath.amplitude(makeup.next() - levels[i])
                    left[i] *= gain
                    if stereo { right[i] *= gain }
                }
            } else {
                let makeupDB = SIMD8(repeating: makeup.value)
                var i = 0
                while i + 8 <= count {
                    let reduction = UnsafeRawPointer(levels + i).loadUnaligned(as: SIMD8<Float>.self)
                    let gain = FastMath.amplitude(makeupDB - reduction)
                    let l = UnsafeRawPointer(left + i).loadUnaligned(as: SIMD8<Float>.self)
                    UnsafeMutableRawPointer(left + i).storeBytes(of: l * gain, as: SIMD8<Float>.self)
                    if stereo {
                        let r = UnsafeRawPointer(right + i).loadUnaligned(as: SIMD8<Float>.self)
                        UnsafeMutableRawPointer(right + i).storeBytes(of: r * gain, as: SIMD8<Float>.self)
                    }
                    i += 8
                }
                while i < count {
                    let gain = FastMath.amplitude(makeup.value - levels[i])
                    left[i] *= gain
                    if stereo { right[i] *= gain }
                    i += 1
                }
            }
            lastGainReduction = GainReductionReadout(maxDB: largest, meanDB: count > 0 ? total / Float(count) : 0)
        }
        self.makeupDB = makeup
    }
}
