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
    /// The shelf is a one-band `Equalizer`: the same coefficients, cascade and state handling.
    private let equalizer: Equalizer

    public init(_ settings: Settings = Settings()) throws {
        try settings.validate()
        self.settings = settings
        equalizer = try Equalizer(.init(bands: [Self.band(settings)]))
    }

    /// Changes the shelf (validated first).
    public func update(_ newSettings: Settings) throws {
        try newSettings.validate()
        try equalizer.update(.init(bands: [Self.band(newSettings)]))
        settings = newSettings
    }

    /// The shelf's coefficients at a rate.
    public func coefficients(sampleRate: Double) -> BiquadCoefficients {
        Self.band(settings).coefficients(sampleRate: sampleRate)
    }

    /// A high shelf with Q 0.5: a long, smooth rise.
    private static func band(_ settings: Settings) -> Equalizer.Band {
        Equalizer.Band(.highShelf, frequencyHz: settings.frequencyHz, q: 0.5, gainDB: settings.gainDB)
    }

    public func prepare(_ spec: ProcessSpec) {
        equalizer.prepare(spec)
    }

    public func reset() {
        equalizer.reset()
    }

    public func process(_ block: AudioBlock) {
        equalizer.process(block)
    }
}
