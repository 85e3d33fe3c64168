/// A fader: a gain in dB that ramps (20 ms) to each new value, so moves never click.
public final class Gain: AudioProcessor {
    /// The fader's settings.
    public struct Settings: Sendable, Equatable, Codable {
        public var gainDB: Double

        public init(gainDB: Double = 0) {
            self.gainDB = gainDB
        }

        public func validate() throws {
            try SettingsError.check(gainDB, "gainDB", in: -96...36, unit: "dB")
        }
    }

    public private(set) var settings: Settings
    private var gain: RampedValue

    public init(_ settings: Settings = Settings()) throws {
        try settings.validate()
        self.settings = settings
        gain = RampedValue(Float(Decibels.toAmplitude(settings.gainDB)))
    }

    /// Sets a new gain (validated first); the change ramps.
    public func update(_ newSettings: Settings) throws {
        try newSettings.validate()
        settings = newSettings
        gain.setTarget(Float(Decibels.toAmplitude(newSettings.gainDB)))
    }

    public func prepare(_ spec: ProcessSpec) {
        gain.prepare(sampleRate: spec.sampleRate, rampMs: 20)
        reset()
    }

    public func reset() {
        gain.settle()
    }

    public func process(_ block: AudioBlock) {
        var gain = self.gain
        if !gain.isRamping {
            let g = gain.value
            for i in 0..<block.frameCount { block.left[i] *= g }
            if block.channelCount == 2 { for i in 0..<block.frameCount { block.right[i] *= g } }
            return
        }
        for i in 0..<block.frameCount {
            let g = gain.next()
            block.left[i] *= g
            if block.channelCount == 2 { block.right[i] *= g }
        }
        self.gain = gain
    }
}
