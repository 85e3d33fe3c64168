/// A cascade of RBJ biquads built from settings: high-pass, low-pass, bells and shelves.
public final class Equalizer: AudioProcessor {
    /// One band of the equalizer.
    public struct Band: Sendable, Equatable, Codable {
        /// The filter shape.
        public enum Kind: String, Sendable, Codable {
            case highPass = "high_pass", lowPass = "low_pass", bell, lowShelf = "low_shelf", highShelf = "high_shelf"
        }

        public var kind: Kind
        public var frequencyHz: Double
        public var q: Double
        /// Ignored by the pass filters.
        public var gainDB: Double

        public init(_ kind: Kind, frequencyHz: Double, q: Double = 0.707, gainDB: Double = 0) {
            self.kind = kind
            self.frequencyHz = frequencyHz
            self.q = q
            self.gainDB = gainDB
        }

        /// Throws `SettingsError` naming the field (`bands[2].q`) when a value is out of range.
        public func validate(index: Int) throws {
            try SettingsError.check(frequencyHz, "bands[\(index)].frequencyHz", in: 10...40_000, unit: "Hz")
            try SettingsError.check(q, "bands[\(index)].q", in: 0.1...24)
            try SettingsError.check(gainDB, "bands[\(index)].gainDB", in: -30...30, unit: "dB")
        }

        /// The band's coefficients at `sampleRate`; its frequency is held below 0.45 × the rate.
        public func coefficients(sampleRate: Double) -> BiquadCoefficients {
            let f = min(frequencyHz, 0.45 * sampleRate)
            switch kind {
            case .highPass: return .highPass(cutoffHz: f, q: q, sampleRate: sampleRate)
            case .lowPass: return .lowPass(cutoffHz: f, q: q, sampleRate: sampleRate)
            case .bell: return .bell(centerHz: f, q: q, gainDB: gainDB, sampleRate: sampleRate)
            case .lowShelf: return .lowShelf(cutoffHz: f, q: q, gainDB: gainDB, sampleRate: sampleRate)
            case .highShelf: return .highShelf(cutoffHz: f, q: q, gainDB: gainDB, sampleRate: sampleRate)
            }
        }
    }

    /// The equalizer's settings: its bands, in processing order.
    public struct Settings: Sendable, Equatable, Codable {
        public var bands: [Band]

        public init(bands: [Band] = []) {
            self.bands = bands
        }

        public func validate() throws {
            guard bands.count <= Equalizer.maxBandCount else {
                throw SettingsError(field: "bands", rule: "at most \(Equalizer.maxBandCount) bands (got \(bands.count))")
            }
            for (index, band) in bands.enumerated() { try band.validate(index: index) }
        }
    }

    /// Most bands an equalizer holds (its filters are allocated in `prepare`).
    public static let maxBandCount = 12

    /// The bands in use. Setting validates; the new bands take effect at the next block.
    public private(set) var settings: Settings
    private var filters = StereoBiquadCascade(capacity: 0)
    private var sampleRate = 48_000.0

    public init(_ settings: Settings = Settings()) throws {
        try settings.validate()
        self.settings = settings
    }

    /// Replaces the bands (validated first; nothing changes on error).
    public func update(_ newSettings: Settings) throws {
        try newSettings.validate()
        // A band added, removed or changed in kind would inherit another filter's memory.
        let sameShape = newSettings.bands.map(\.kind) == settings.bands.map(\.kind)
        settings = newSettings
        if !sameShape { filters.reset() }
        loadCoefficients()
    }

    public func prepare(_ spec: ProcessSpec) {
        sampleRate = spec.sampleRate
        filters = StereoBiquadCascade(capacity: Self.maxBandCount)
        loadCoefficients()
    }

    public func reset() {
        filters.reset()
    }

    private func loadCoefficients() {
        guard !filters.sections.isEmpty else { return }
        for (index, band) in settings.bands.enumerated() {
            filters.sections[index].setCoefficients(band.coefficients(sampleRate: sampleRate))
        }
        filters.activeCount = settings.bands.count
    }

    public func process(_ block: AudioBlock) {
        filters.process(block)
    }
}
