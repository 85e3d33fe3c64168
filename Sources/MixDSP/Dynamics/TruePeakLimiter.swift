import Foundation

/// A true-peak limiter with lookahead: the output's inter-sample peaks stay at or under the
/// ceiling.
///
/// Its input is first band-limited by a 12th-order Butterworth low-pass at 0.44 × the rate
/// (21.1 kHz at 48 kHz: flat within 0.001 dB to 20 kHz, −39 dB at 22 kHz). A finite
/// interpolator cannot see peaks made by content right at Nyquist (full-band noise reads over a
/// decibel low); without that content, its estimate is within a few thousandths of a dB.
///
/// For each sample the gain that would bring its true peak (`TruePeakDetector`, both channels
/// linked) to the ceiling is found; a release follower lets the gain recover smoothly (in dB,
/// time constant `releaseMs`); a running minimum over the lookahead plus the interpolator's
/// span, then a moving average over the lookahead, turn those into a gain curve that is smooth
/// and is never above the needed gain anywhere near a peak. The audio is delayed to match.
public final class TruePeakLimiter: AudioProcessor {
    /// The limiter's settings, validated when set.
    public struct Settings: Sendable, Equatable, Codable {
        public var ceilingDBTP: Double
        public var lookaheadMs: Double
        public var releaseMs: Double

        public init(ceilingDBTP: Double = -1, lookaheadMs: Double = 1.5, releaseMs: Double = 150) {
            self.ceilingDBTP = ceilingDBTP
            self.lookaheadMs = lookaheadMs
            self.releaseMs = releaseMs
        }

        public func validate() throws {
            try SettingsError.check(ceilingDBTP, "ceilingDBTP", in: -20...0, unit: "dBTP")
            try SettingsError.check(lookaheadMs, "lookaheadMs", in: 1...20, unit: "ms")
            try SettingsError.check(releaseMs, "releaseMs", in: 1...5000, unit: "ms")
        }
    }

    /// A hair under the ceiling, for the interpolator's own error.
    static let safetyMarginDB = 0.02

    public private(set) var settings: Settings
    /// Gain reduction over the last block.
    public private(set) var lastGainReduction = GainReductionReadout()
    public private(set) var latencyFrames = 0

    private var detectors = (TruePeakDetector(), TruePeakDetector())
    /// The band-limiting low-pass: six second-order sections with Butterworth Qs.
    private var bandLimit = [StereoBiquad](repeating: StereoBiquad(), count: TruePeakLimiter.bandLimitSections)
    static let bandLimitSections = 6
    static let bandLimitCutoff = 0.44
    private var ceiling: Float = 1
    private var releaseCoefficient: Float = 0
    private var lookaheadFrames = 1
    private var holdFrames = 1
    private var heldGain: Float = 1
    // Running minimum over `holdFrames` (a monotonic deque in a ring).
    private var minimumValues: UnsafeMutablePointer<Float>?
    private var minimumTimes: UnsafeMutablePointer<Int>?
    private var dequeHead = 0
    private var dequeCount = 0
    // Moving average over `lookaheadFrames`.
    private var averageRing: UnsafeMutablePointer<Float>?
    private var averageIndex = 0
    private var averageSum: Double = 0
    // The audio delay line, both channels.
    private var delayRing: UnsafeMutablePointer<SIMD2<Float>>?
    private var delayIndex = 0
    private var time = 0

    public init(_ settings: Settings = Settings()) throws {
        try settings.validate()
        self.settings = settings
    }

    deinit {
        detectors.0.deallocate()
        detectors.1.deallocate()
        freeBuffers()
    }

    /// Changes the settings (validated first). A new lookahead changes the latency: call
    /// `prepare` again before the next block.
    public func update(_ newSettings: Settings) throws {
        try newSettings.validate()
        settings = newSettings
        ceiling = Float(Decibels.toAmplitude(newSettings.ceilingDBTP - Self.safetyMarginDB))
    }

    public func prepare(_ spec: ProcessSpec) {
        freeBuffers()
        ceiling = Float(Decibels.toAmplitude(settings.ceilingDBTP - Self.safetyMarginDB))
        releaseCoefficient = LevelDetector.coefficient(timeMs: settings.releaseMs, sampleRate: spec.sampleRate)
        let order = Double(2 * Self.bandLimitSections)
        for section in 0..<Self.bandLimitSections {
            // Butterworth pole pairs: Q = 1 / (2 sin((2k − 1)π / 2N)).
            let q = 1 / (2 * sin(Double(2 * section + 1) * Double.pi / (2 * order)))
            bandLimit[section].setCoefficients(
                .lowPass(cutoffHz: Self.bandLimitCutoff * spec.sampleRate, q: q, sampleRate: spec.sampleRate))
        }
        lookaheadFrames = max(1, Int((settings.lookaheadMs / 1000 * spec.sampleRate).rounded()))
        let span = TruePeakDetector.delayFrames
        holdFrames = lookaheadFrames + 2 * span
        latencyFrames = span + (lookaheadFrames - 1) + span
        minimumValues = .allocate(capacity: holdFrames)
        minimumTimes = .allocate(capacity: holdFrames)
        averageRing = .allocate(capacity: lookaheadFrames)
        delayRing = .allocate(capacity: latencyFrames + 1)
        reset()
    }

    private func freeBuffers() {
        minimumValues?.deallocate()
        minimumTimes?.deallocate()
        averageRing?.deallocate()
        delayRing?.deallocate()
    }

    public func reset() {
        detectors.0.reset()
        detectors.1.reset()
        for section in bandLimit.indices { bandLimit[section].reset() }
        heldGain = 1
        dequeHead = 0
        dequeCount = 0
        averageRing?.update(repeating: 1, count: lookaheadFrames)
        averageSum = Double(lookaheadFrames)
        averageIndex = 0
        delayRing?.update(repeating: .zero, count: latencyFrames + 1)
        delayIndex = 0
        time = 0
        lastGainReduction = GainReductionReadout()
    }

    public func process(_ block: AudioBlock) {
        guard let minimumValues, let minimumTimes, let averageRing, let delayRing else { return }
        let delayLength = latencyFrames + 1
        var maxReduction: Float = 0
        var sumReduction: Float = 0
        var sections = (bandLimit[0], bandLimit[1], bandLimit[2], bandLimit[3], bandLimit[4], bandLimit[5])
        defer {
            (bandLimit[0], bandLimit[1], bandLimit[2], bandLimit[3], bandLimit[4], bandLimit[5]) = sections
        }
        for i in 0..<block.frameCount {
            var input = SIMD2(block.left[i], block.right[i])
            input = sections.0.process(input)
            input = sections.1.process(input)
            input = sections.2.process(input)
            input = sections.3.process(input)
            input = sections.4.process(input)
            input = sections.5.process(input)
            let peak = max(detectors.0.push(input.x), detectors.1.push(input.y))
            let needed = peak > ceiling ? ceiling / peak : 1
            // Release: the attenuation in dB decays toward 0 with the release time constant.
            let recovered = heldGain >= 1 ? 1 : FastMath.amplitude(FastMath.decibels(heldGain) * releaseCoefficient)
            heldGain = min(needed, recovered)
            // Running minimum over the hold window: expire the oldest first, so the ring
            // (one slot per frame of the window) always has room for the new value.
            if dequeCount > 0, minimumTimes[dequeHead] <= time - holdFrames {
                dequeHead = dequeHead + 1 == holdFrames ? 0 : dequeHead + 1
                dequeCount -= 1
            }
            while dequeCount > 0, minimumValues[(dequeHead + dequeCount - 1) % holdFrames] >= heldGain {
                dequeCount -= 1
            }
            minimumValues[(dequeHead + dequeCount) % holdFrames] = heldGain
            minimumTimes[(dequeHead + dequeCount) % holdFrames] = time
            dequeCount += 1
            let held = minimumValues[dequeHead]
            // Moving average over the lookahead.
            averageSum += Double(held) - Double(averageRing[averageIndex])
            averageRing[averageIndex] = held
            averageIndex = averageIndex + 1 == lookaheadFrames ? 0 : averageIndex + 1
            let gain = min(1, Float(averageSum / Double(lookaheadFrames)))
            // Delay the audio to line up with its gain.
            delayRing[delayIndex] = input
            delayIndex = delayIndex + 1 == delayLength ? 0 : delayIndex + 1
            let output = delayRing[delayIndex] * gain
            block.left[i] = output.x
            if block.channelCount == 2 { block.right[i] = output.y }
            let reduction = -FastMath.decibels(gain)
            maxReduction = max(maxReduction, reduction)
            sumReduction += reduction
            time += 1
        }
        lastGainReduction = GainReductionReadout(
            maxDB: maxReduction, meanDB: block.frameCount > 0 ? sumReduction / Float(block.frameCount) : 0)
    }
}
