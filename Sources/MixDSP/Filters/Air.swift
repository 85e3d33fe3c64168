/// "Air" for vocals: a gentle RBJ high shelf around 10–12 kHz (Q 0.5: a long, smooth rise).
public final class Air: AudioProcessor {
    /// The shelf's settings.
    public struct Settings: Sendable, Equatable, Codable {
        public var frequencyHz: Double
        public var gainDB: Double

        public init(frequencyHz: Double = 11_000, gainDB: Double = 2) {
            self.frequencyHz = frequencyHz
            self.gainDB = gainDB
        }

        public func validate() throws {
            try SettingsError.check(frequencyHz, "frequencyHz", in: 8_000...16_000, unit: "Hz")
            try SettingsError.check(gainDB, "gainDB", in: -6...9, unit: "dB")
        }
    }

    public private(set) var settings: Settings
    private var shelf = StereoBiquad()
    private var sampleRate = 48_000.0

    public init(_ settings: Settings = Settings()) throws {
        try settings.validate()
        self.settings = settings
    }

    /// Changes the shelf (validated first).
    public func update(_ newSettings: Settings) throws {
        try newSettings.validate()
        settings = newSettings
        loadCoefficients()
    }

    /// The shelf's coefficients at a rate (the corner held below 0.4 × the rate).
    public func coefficients(sampleRate: Double) -> BiquadCoefficients {
        .highShelf(cutoffHz: min(settings.frequencyHz, 0.4 * sampleRate), q: 0.5, gainDB: settings.gainDB, sampleRate: sampleRate)
    }

    private func loadCoefficients() {
        shelf.setCoefficients(coefficients(sampleRate: sampleRate))
    }

    public func prepare(_ spec: ProcessSpec) {
        sampleRate = spec.sampleRate
        loadCoefficients()
        reset()
    }

    public func reset() {
        shelf.reset()
    }

    public func process(_ block: AudioBlock) {
        shelf.process(block)
    }
}
