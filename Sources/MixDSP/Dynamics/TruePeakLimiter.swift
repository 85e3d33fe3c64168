import Foundation

/// A true-peak limiter with lookahead: the output's inter-sample peaks stay at or under the
/// ceiling.
///
/// Its input is first band-limited by a 12th-order Butterworth low-pass at 0.44 × the rate
/// (21.1 kHz at 48 kHz: flat within 0.001 dB to 20 kHz, −39 dB at 22 kHz). A finite
/// interpolator cannot see peaks made by content right at Nyquist (full-band noise reads over a
/// decibel low); without it, the estimate is within about 0.1 dB even at the band's edge, and
/// the limiter aims that much under the ceiling.
///
/// For each sample the gain that would bring its true peak (`BlockTruePeakDetector`, both
/// channels linked) to the ceiling is found; a release follower lets the gain recover smoothly
/// (the attenuation decays with time constant `releaseMs`); a running minimum over the lookahead plus the interpolator's
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

    /// Under the ceiling by the interpolator's worst under-read, at the band-limit's edge
    /// (about 0.1 dB for a burst at 0.44 × the rate).
    static let safetyMarginDB = 0.12

    public private(set) var settings: Settings
    /// Gain reduction over the last block.
    public private(set) var lastGainReduction = GainReductionReadout()
    public private(set) var latencyFrames = 0

    private var detectors: (BlockTruePeakDetector, BlockTruePeakDetector)?
    /// Per-sample true peaks of the block, both channels linked.
    private var peaks: UnsafeMutablePointer<Float>?
    /// The band-limiting low-pass: six second-order sections with Butterworth Qs.
    private var bandLimit = StereoBiquadCascade(capacity: TruePeakLimiter.bandLimitSections)
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
        freeBuffers()
    }

    /// Changes the settings (validated first): ceiling and release at once; a new lookahead
    /// changes the latency and takes effect at the next `prepare`.
    public func update(_ newSettings: Settings) throws {
        try newSettings.validate()
        settings = newSettings
        ceiling = Float(Decibels.toAmplitude(newSettings.ceilingDBTP - Self.safetyMarginDB))
        releaseCoefficient = LevelDetector.coefficient(timeMs: newSettings.releaseMs, sampleRate: sampleRate)
    }

    private var sampleRate = 48_000.0
    private var maxFrameCount = 0

    public func prepare(_ spec: ProcessSpec) {
        freeBuffers()
        sampleRate = spec.sampleRate
        maxFrameCount = spec.maxFrameCount
        ceiling = Float(Decibels.toAmplitude(settings.ceilingDBTP - Self.safetyMarginDB))
        releaseCoefficient = LevelDetector.coefficient(timeMs: settings.releaseMs, sampleRate: spec.sampleRate)
        let order = Double(2 * Self.bandLimitSections)
        for section in 0..<Self.bandLimitSections {
            // Butterworth pole pairs: Q = 1 / (2 sin((2k − 1)π / 2N)).
            let q = 1 / (2 * sin(Double(2 * section + 1) * Double.pi / (2 * order)))
            bandLimit.sections[section].setCoefficients(
                .lowPass(cutoffHz: Self.bandLimitCutoff * spec.sampleRate, q: q, sampleRate: spec.sampleRate))
        }
        bandLimit.activeCount = Self.bandLimitSections
        detectors = (BlockTruePeakDetector(maxFrameCount: spec.maxFrameCount), BlockTruePeakDetector(maxFrameCount: spec.maxFrameCount))
        peaks = .allocate(capacity: spec.maxFrameCount + 8)
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
        detectors?.0.deallocate()
        detectors?.1.deallocate()
        detectors = nil
        peaks?.deallocate()
        minimumValues?.deallocate()
        minimumTimes?.deallocate()
        averageRing?.deallocate()
        delayRing?.deallocate()
    }

    public func reset() {
        detectors?.0.reset()
        detectors?.1.reset()
        bandLimit.reset()
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
        // Unprepared, it would pass the audio through unlimited: a ceiling silently not held.
        guard let minimumValues, let minimumTimes, let averageRing, let delayRing, let detectors, let peaks else {
            preconditionFailure("TruePeakLimiter: process before prepare")
        }
        let count = block.frameCount
        precondition(count <= maxFrameCount, "TruePeakLimiter: block larger than prepared")
        let delayLength = latencyFrames + 1
        var maxReduction: Float = 0
        var sumReduction: Float = 0
        // 1. Band-limit into the detectors' buffers; 2. true peaks eight samples at a time.
        let left = detectors.0.blockStart, right = detectors.1.blockStart
        left.update(from: block.left, count: count)
        right.update(from: block.right, count: count)
        bandLimit.process(AudioBlock(left: left, right: right, frameCount: count))
        detectors.0.detect(count: count, into: peaks, combine: false)
        detectors.1.detect(count: count, into: peaks, combine: true)
        if isAtRest(averageRing: averageRing, minimumValues: minimumValues), highestPeak(count: count) <= ceiling {
            // Nothing to limit and nothing still releasing: the gain curve would stay at
            // exactly 1 on every sample, so only the delay line moves (the state ends as the
            // sample-by-sample path leaves it, so the output does not depend on block sizes).
            passThrough(block, delayRing: delayRing, minimumValues: minimumValues, minimumTimes: minimumTimes)
            detectors.0.finish(count: count)
            detectors.1.finish(count: count)
            lastGainReduction = GainReductionReadout()
            return
        }
        // 3. The gain curve, sample by sample (the one serial part), and the delayed output.
        // The state lives in locals for the loop: as stored properties, every store through
        // the ring pointers could alias them, and each would go to memory and back on every
        // sample, lengthening the loop's dependency chains by a store-to-load each.
        let (ceiling, releaseCoefficient, holdFrames, lookaheadFrames) = (
            self.ceiling, self.releaseCoefficient, self.holdFrames, self.lookaheadFrames
        )
        let stereo = block.channelCount == 2
        let (outLeft, outRight) = (block.left, block.right)
        var heldGain = self.heldGain
        var (dequeHead, dequeCount) = (self.dequeHead, self.dequeCount)
        var (averageSum, averageIndex) = (self.averageSum, self.averageIndex)
        var (delayIndex, time) = (self.delayIndex, self.time)
        let inverseLookahead = 1 / Double(lookaheadFrames)
        // The attenuation (1 − gain) decays with the release time constant:
        // 1 − (1 − g)·c = (1 − c) + g·c, one fused step on the recurrence.
        let releaseOffset = 1 - releaseCoefficient
        // The gain each sample needs, eight at a time (the divisions off the serial loop).
        var j = 0
        let ceilings = SIMD8<Float>(repeating: ceiling)
        while j + 8 <= count {
            let peak = UnsafeRawPointer(peaks + j).loadUnaligned(as: SIMD8<Float>.self)
            var needed = ceilings / peak
            needed.replace(with: 1, where: peak .<= ceilings)
            UnsafeMutableRawPointer(peaks + j).storeBytes(of: needed, as: SIMD8<Float>.self)
            j += 8
        }
        while j < count {
            let peak = peaks[j]
            peaks[j] = peak > ceiling ? ceiling / peak : 1
            j += 1
        }
        // The held gain and its running minimum over the hold window (the serial part).
        for i in 0..<count {
            let needed = peaks[i]
            let recovered = Float.fusedAdd(releaseOffset, heldGain, releaseCoefficient)
            heldGain = min(needed, recovered)
            // Expire the oldest first, so the ring (one slot per frame of the window) always
            // has room for the new value.
            if dequeCount > 0, minimumTimes[dequeHead] <= time - holdFrames {
                dequeHead = dequeHead + 1 == holdFrames ? 0 : dequeHead + 1
                dequeCount -= 1
            }
            // (Indices wrap by one subtraction: head + count < 2 × the ring's size.)
            while dequeCount > 0 {
                var last = dequeHead + dequeCount - 1
                if last >= holdFrames { last -= holdFrames }
                guard minimumValues[last] >= heldGain else { break }
                dequeCount -= 1
            }
            var slot = dequeHead + dequeCount
            if slot >= holdFrames { slot -= holdFrames }
            minimumValues[slot] = heldGain
            minimumTimes[slot] = time
            dequeCount += 1
            peaks[i] = minimumValues[dequeHead]
            time += 1
        }
        // The moving average over the lookahead, and the delayed audio at that gain.
        for i in 0..<count {
            let held = peaks[i]
            averageSum += Double(held) - Double(averageRing[averageIndex])
            averageRing[averageIndex] = held
            averageIndex = averageIndex + 1 == lookaheadFrames ? 0 : averageIndex + 1
            let gain = min(1, Float(averageSum * inverseLookahead))
            delayRing[delayIndex] = SIMD2(left[i], right[i])
            delayIndex = delayIndex + 1 == delayLength ? 0 : delayIndex + 1
            let output = delayRing[delayIndex] * gain
            outLeft[i] = output.x
            if stereo { outRight[i] = output.y }
            peaks[i] = gain  // kept for the readout
        }
        self.heldGain = heldGain
        (self.dequeHead, self.dequeCount) = (dequeHead, dequeCount)
        (self.averageSum, self.averageIndex) = (averageSum, averageIndex)
        (self.delayIndex, self.time) = (delayIndex, time)
        // The readout, in dB, eight gains at a time.
        var i = 0
        var largest = SIMD8<Float>.zero, total = SIMD8<Float>.zero
        while i + 8 <= count {
            let reduction = -FastMath.decibels(UnsafeRawPointer(peaks + i).loadUnaligned(as: SIMD8<Float>.self))
            largest.replace(with: reduction, where: reduction .> largest)
            total += reduction
            i += 8
        }
        for lane in 0..<8 {
            maxReduction = max(maxReduction, largest[lane])
            sumReduction += total[lane]
        }
        while i < count {
            let reduction = -FastMath.decibels(peaks[i])
            maxReduction = max(maxReduction, reduction)
            sumReduction += reduction
            i += 1
        }
        detectors.0.finish(count: count)
        detectors.1.finish(count: count)
        lastGainReduction = GainReductionReadout(
            maxDB: maxReduction, meanDB: block.frameCount > 0 ? sumReduction / Float(block.frameCount) : 0)
    }

    // MARK: At rest

    /// True when the held gain, the running minimum and the whole moving-average window are
    /// exactly 1: no reduction is pending or releasing.
    private func isAtRest(averageRing: UnsafeMutablePointer<Float>, minimumValues: UnsafeMutablePointer<Float>) -> Bool {
        guard heldGain == 1, dequeCount == 0 || minimumValues[dequeHead] == 1 else { return false }
        for index in 0..<lookaheadFrames where averageRing[index] != 1 { return false }
        return true
    }

    /// The block's highest true peak (the detectors' output in `peaks`).
    private func highestPeak(count: Int) -> Float {
        guard let peaks else { return .infinity }
        var highest = SIMD8<Float>.zero
        var i = 0
        while i + 8 <= count {
            highest = highest.laneMax(UnsafeRawPointer(peaks + i).loadUnaligned(as: SIMD8<Float>.self))
            i += 8
        }
        var result = highest.max()
        while i < count {
            result = max(result, peaks[i])
            i += 1
        }
        return result
    }

    /// The at-rest block: the delayed audio at unity gain, and the state the gain curve would
    /// have left (a running minimum of one entry, 1, stamped with the block's last frame).
    private func passThrough(
        _ block: AudioBlock, delayRing: UnsafeMutablePointer<SIMD2<Float>>,
        minimumValues: UnsafeMutablePointer<Float>, minimumTimes: UnsafeMutablePointer<Int>
    ) {
        let count = block.frameCount
        let delayLength = latencyFrames + 1
        let stereo = block.channelCount == 2
        guard let detectors else { return }
        let (left, right) = (detectors.0.blockStart, detectors.1.blockStart)
        var index = delayIndex
        for i in 0..<count {
            delayRing[index] = SIMD2(left[i], right[i])
            index = index + 1 == delayLength ? 0 : index + 1
            let output = delayRing[index]
            block.left[i] = output.x
            if stereo { block.right[i] = output.y }
        }
        delayIndex = index
        minimumValues[dequeHead] = 1
        minimumTimes[dequeHead] = time + count - 1
        dequeCount = 1
        averageIndex = (averageIndex + count) % lookaheadFrames
        time += count
    }
}
