/// A split-band de-esser: a sidechain band-passed to the sibilant range (centre/√2 to
/// centre·√2, 5–10 kHz by default, 24 dB/octave skirts) drives a peak detector and a gain
/// computer; only the sibilant band of the signal is turned down.
///
/// The band is an RBJ band-pass with 0 dB peak gain at the centre, and the output is
/// `x − (1 − g)·band`: with no reduction the signal passes untouched, and a tone at the centre
/// frequency is cut by exactly the reported gain reduction.
public final class DeEsser: AudioProcessor {
    /// The de-esser's settings, validated when set.
    public struct Settings: Sendable, Equatable, Codable {
        public var thresholdDB: Double
        public var ratio: Double
        public var centerHz: Double
        /// The band's Q (√2 gives an octave each side of the centre at −3 dB).
        public var q: Double
        public var attackMs: Double
        public var releaseMs: Double
        /// The most the band is ever turned down.
        public var maxReductionDB: Double

        public init(
            thresholdDB: Double = -30, ratio: Double = 4, centerHz: Double = 7071, q: Double = 1.41,
            attackMs: Double = 1, releaseMs: Double = 60, maxReductionDB: Double = 12
        ) {
            self.thresholdDB = thresholdDB
            self.ratio = ratio
            self.centerHz = centerHz
            self.q = q
            self.attackMs = attackMs
            self.releaseMs = releaseMs
            self.maxReductionDB = maxReductionDB
        }

        public func validate() throws {
            try SettingsError.check(thresholdDB, "thresholdDB", in: -80...0, unit: "dB")
            try SettingsError.check(ratio, "ratio", in: 1...100)
            try SettingsError.check(centerHz, "centerHz", in: 3000...14_000, unit: "Hz")
            try SettingsError.check(q, "q", in: 0.3...10)
            try SettingsError.check(attackMs, "attackMs", in: 0.01...100, unit: "ms")
            try SettingsError.check(releaseMs, "releaseMs", in: 1...2000, unit: "ms")
            try SettingsError.check(maxReductionDB, "maxReductionDB", in: 0...40, unit: "dB")
        }

        /// The sidechain's peak detector.
        var levelDetector: LevelDetector { LevelDetector(mode: .peak, attackMs: attackMs, releaseMs: releaseMs) }

        /// The static curve, with a 2 dB knee.
        var gainComputer: GainComputer { GainComputer(thresholdDB: Float(thresholdDB), ratio: Float(ratio), kneeDB: 2) }

        /// The filters at `sampleRate`: the sibilant band (the centre held under 0.4 × the rate)
        /// and the sidechain's four sections, two high-passes at centre/√2 and two low-passes at
        /// centre·√2 (held under 0.45 × the rate). One design for the de-esser and the lane bank.
        func filters(sampleRate: Double) -> (band: BiquadCoefficients, sidechain: [BiquadCoefficients]) {
            let center = min(centerHz, 0.4 * sampleRate)
            let low = center / 2.0.squareRoot(), high = min(center * 2.0.squareRoot(), 0.45 * sampleRate)
            let highPass = BiquadCoefficients.highPass(cutoffHz: low, sampleRate: sampleRate)
            let lowPass = BiquadCoefficients.lowPass(cutoffHz: high, sampleRate: sampleRate)
            return (.bandPass(centerHz: center, q: q, sampleRate: sampleRate), [highPass, highPass, lowPass, lowPass])
        }
    }

    public private(set) var settings: Settings
    /// Gain reduction of the sibilant band over the last block.
    public private(set) var lastGainReduction = GainReductionReadout()
    /// Frames processed since reset (the filters' denormal flushes fall at fixed positions).
    private var framesSinceReset = 0
    private var detector: LevelDetector
    private var computer: GainComputer
    private var band = StereoBiquad()
    private var sidechain = StereoBiquadCascade(capacity: 4)
    private var bandLeft: [Float] = []
    private var bandRight: [Float] = []
    private var sideLeft: [Float] = []
    private var sideRight: [Float] = []
    private var sampleRate = 48_000.0

    public init(_ settings: Settings = Settings()) throws {
        try settings.validate()
        self.settings = settings
        detector = settings.levelDetector
        computer = settings.gainComputer
    }

    /// Changes the settings (validated first; nothing changes on error).
    public func update(_ newSettings: Settings) throws {
        try newSettings.validate()
        settings = newSettings
        computer = newSettings.gainComputer
        detector.setTimes(attackMs: newSettings.attackMs, releaseMs: newSettings.releaseMs)
        loadCoefficients()
    }

    public func prepare(_ spec: ProcessSpec) {
        sampleRate = spec.sampleRate
        // Four arrays of their own: copies of one would share storage and copy on first write.
        bandLeft = [Float](repeating: 0, count: spec.maxFrameCount)
        bandRight = [Float](repeating: 0, count: spec.maxFrameCount)
        sideLeft = [Float](repeating: 0, count: spec.maxFrameCount)
        sideRight = [Float](repeating: 0, count: spec.maxFrameCount)
        loadCoefficients()
        reset()
    }

    private func loadCoefficients() {
        detector.prepare(sampleRate: sampleRate)
        let filters = settings.filters(sampleRate: sampleRate)
        band.setCoefficients(filters.band)
        for (section, coefficients) in filters.sidechain.enumerated() {
            sidechain.sections[section].setCoefficients(coefficients)
        }
        sidechain.activeCount = filters.sidechain.count
    }

    public func reset() {
        detector.reset()
        band.reset()
        sidechain.reset()
        framesSinceReset = 0
        lastGainReduction = GainReductionReadout()
    }

    /// The band and the sidechain in one pass: five independent-enough filters whose work the
    /// processor overlaps, reading the input once.
    private func filterBandAndSidechain(
        _ block: AudioBlock, band out: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>),
        side: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>)
    ) {
        var bandFilter = band
        var s0 = sidechain.sections[0], s1 = sidechain.sections[1], s2 = sidechain.sections[2], s3 = sidechain.sections[3]
        let interval = Denormals.interval
        var start = 0
        while start < block.frameCount {
            // Denormal flushes at fixed positions since reset (see `StereoBiquad.flushState`).
            let phase = framesSinceReset % interval
            if phase == 0 {
                bandFilter.flushState()
                s0.flushState()
                s1.flushState()
                s2.flushState()
                s3.flushState()
            }
            let end = min(block.frameCount, start + interval - phase)
            for i in start..<end {
                let x = SIMD2(block.left[i], block.right[i])
                let b = bandFilter.process(x)
                let y = s3.process(s2.process(s1.process(s0.process(x))))
                out.0[i] = b.x
                out.1[i] = b.y
                side.0[i] = y.x
                side.1[i] = y.y
            }
            framesSinceReset += end - start
            start = end
        }
        band = bandFilter
        sidechain.sections[0] = s0
        sidechain.sections[1] = s1
        sidechain.sections[2] = s2
        sidechain.sections[3] = s3
    }

    public func process(_ block: AudioBlock) {
        let count = block.frameCount
        precondition(count <= bandLeft.count, "DeEsser: block larger than prepared (or not prepared)")
        let maxReduction = Float(settings.maxReductionDB)
        bandLeft.withUnsafeMutableBufferPointer { bandLeft in
            bandRight.withUnsafeMutableBufferPointer { bandRight in
                sideLeft.withUnsafeMutableBufferPointer { sideLeft in
                    sideRight.withUnsafeMutableBufferPointer { sideRight in
                        let (bl, br, sl, sr) = (bandLeft.baseAddress!, bandRight.baseAddress!, sideLeft.baseAddress!, sideRight.baseAddress!)
                        filterBandAndSidechain(block, band: (bl, br), side: (sl, sr))
                        // Sidechain level in dB (vectorised), ballistics (serial), reduction and
                        // cut (vectorised); the levels are written over the sidechain's left buffer.
                        DynamicsStages.linkedDecibels(sl, sr, into: sl, count: count)
                        DynamicsStages.peakBallistics(sl, count: count, detector: &detector)
                        let (largest, total) = DynamicsStages.gainReduction(
                            sl, count: count, computer: computer, maxReductionDB: maxReduction)
                        let stereo = block.channelCount == 2
                        var i = 0
                        while i + 8 <= count {
                            let reduction = UnsafeRawPointer(sl + i).loadUnaligned(as: SIMD8<Float>.self)
                            let cut = 1 - FastMath.amplitude(-reduction)
                            let l = UnsafeRawPointer(block.left + i).loadUnaligned(as: SIMD8<Float>.self)
                            let bandL = UnsafeRawPointer(bl + i).loadUnaligned(as: SIMD8<Float>.self)
                            UnsafeMutableRawPointer(block.left + i).storeBytes(of: l - cut * bandL, as: SIMD8<Float>.self)
                            if stereo {
                                let r = UnsafeRawPointer(block.right + i).loadUnaligned(as: SIMD8<Float>.self)
                                let bandR = UnsafeRawPointer(br + i).loadUnaligned(as: SIMD8<Float>.self)
                                UnsafeMutableRawPointer(block.right + i).storeBytes(of: r - cut * bandR, as: SIMD8<Float>.self)
                            }
                            i += 8
                        }
                        while i < count {
                            let cut = 1 - FastMath.amplitude(-sl[i])
                            block.left[i] -= cut * bl[i]
                            if stereo { block.right[i] -= cut * br[i] }
                            i += 1
                        }
                        lastGainReduction = GainReductionReadout(maxDB: largest, meanDB: count > 0 ? total / Float(count) : 0)
                    }
                }
            }
        }
    }
}
