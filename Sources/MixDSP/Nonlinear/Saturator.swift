/// Smooth saturation with drive and dry/wet mix, run at twice the rate (`HalfbandOversampler`)
/// so its harmonics do not fold back as aliases.
///
/// The curve is the [3/2] Padé approximant of tanh, `x·(27 + x²)/(27 + 9x²)`, which reaches ±1
/// with zero slope at |x| = 3 and is held there: smooth, odd (no DC), and cheap. The output is
/// divided by the drive, so quiet signals pass at unity gain; the mix happens at the
/// oversampled rate, so dry and wet share the filters' phase and never comb.
public final class Saturator: AudioProcessor {
    /// The saturator's settings, validated when set.
    public struct Settings: Sendable, Equatable, Codable {
        public var driveDB: Double
        /// 0: dry only; 1: saturated only.
        public var mix: Double

        public init(driveDB: Double = 6, mix: Double = 1) {
            self.driveDB = driveDB
            self.mix = mix
        }

        public func validate() throws {
            try SettingsError.check(driveDB, "driveDB", in: 0...36, unit: "dB")
            try SettingsError.check(mix, "mix", in: 0...1)
        }
    }

    public private(set) var settings: Settings
    private var oversampler = HalfbandOversampler()
    /// The block at twice the rate, as (even L, even R, odd L, odd R) per input frame.
    private var oversampled: [SIMD4<Float>] = []
    private var drive = RampedValue(1)
    private var mix = RampedValue(1)
    /// Frames processed since reset (the oversampler's denormal flushes fall at fixed positions).
    private var framesSinceReset = 0

    public init(_ settings: Settings = Settings()) throws {
        try settings.validate()
        self.settings = settings
        drive = RampedValue(Float(Decibels.toAmplitude(settings.driveDB)))
        mix = RampedValue(Float(settings.mix))
    }

    /// Changes the settings (validated first); drive and mix ramp.
    public func update(_ newSettings: Settings) throws {
        try newSettings.validate()
        settings = newSettings
        drive.setTarget(Float(Decibels.toAmplitude(newSettings.driveDB)))
        mix.setTarget(Float(newSettings.mix))
    }

    public func prepare(_ spec: ProcessSpec) {
        drive.prepare(sampleRate: spec.sampleRate, rampMs: 20)
        mix.prepare(sampleRate: spec.sampleRate, rampMs: 20)
        oversampled = [SIMD4<Float>](repeating: .zero, count: spec.maxFrameCount)
        reset()
    }

    public func reset() {
        oversampler.reset()
        framesSinceReset = 0
        drive.settle()
        mix.settle()
    }

    /// The curve: odd, smooth, ±1 from |x| = 3.
    @inlinable @inline(__always)
    public static func shape(_ x: SIMD2<Float>) -> SIMD2<Float> {
        shape(SIMD4(lowHalf: x, highHalf: .zero)).lowHalf
    }

    /// The curve on four lanes (both oversampled frames of a stereo pair at once).
    @inlinable @inline(__always)
    public static func shape(_ x: SIMD4<Float>) -> SIMD4<Float> { PadeSaturation.shape(x) }

    public func process(_ block: AudioBlock) {
        var oversampler = self.oversampler
        var drive = self.drive, mix = self.mix
        let count = block.frameCount
        precondition(count <= oversampled.count, "Saturator: block larger than prepared (or not prepared)")
        let stereo = block.channelCount == 2
        oversampled.withUnsafeMutableBufferPointer { frames in
            // Three passes: each filter chain runs alone in a tight loop (its recurrence is the
            // only wait), and the curve, off any recurrence, runs in between.
            // Denormal flushes fall at fixed positions since reset, in both filter chains.
            let interval = Denormals.interval
            var start = 0
            while start < count {
                let phase = (framesSinceReset + start) % interval
                if phase == 0 { oversampler.up.flushState() }
                let end = min(count, start + interval - phase)
                for i in start..<end { frames[i] = oversampler.upsample(SIMD2(block.left[i], block.right[i])) }
                start = end
            }
            if !drive.isRamping, !mix.isRamping {
                let g = drive.value, scale = mix.value * (1 / drive.value), dry = 1 - mix.value
                for i in 0..<count {
                    frames[i] = scale * Self.shape(g * frames[i]) + dry * frames[i]
                }
            } else {
                for i in 0..<count {
                    let g = drive.next(), wet = mix.next()
                    frames[i] = (wet * (1 / g)) * Self.shape(g * frames[i]) + (1 - wet) * frames[i]
                }
            }
            start = 0
            while start < count {
                let phase = (framesSinceReset + start) % interval
                if phase == 0 { oversampler.down.flushState() }
                let end = min(count, start + interval - phase)
                for i in start..<end {
                    let y = oversampler.downsample(frames[i])
                    block.left[i] = y.x
                    if stereo { block.right[i] = y.y }
                }
                start = end
            }
        }
        self.oversampler = oversampler
        framesSinceReset += count
        self.drive = drive
        self.mix = mix
    }
}
