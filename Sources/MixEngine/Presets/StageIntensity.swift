import MixDSP

/// How much of each automatic stage a mix applies (SPEC §9): a share (0…1) of the EQ,
/// compression, saturation and width a role preset or a recipe sets, and of the master
/// limiter's push. 1 is the preset as written, bit for bit; 0 leaves the stage out of the chain
/// (bypassed bit-exactly); in between, the stage's own amount is scaled: EQ gains (and the air
/// shelf's), the compressor's ratio above 1:1 and its makeup, the saturator's wet share, the
/// width's distance from 1, and the loudness the limiter adds over the unlimited master
/// (`MasterGainSearch`). Filters that only clean up (high- and low-pass bands) stay while the EQ
/// is on at all. The de-esser is not scaled: it repairs rather than colours. Saturation is the
/// tracks' only, the limiter the master's. Written in JSON and on the command line as percents.
public struct StageIntensity: Sendable, Equatable, Codable {
    public var eq: Double
    public var compression: Double
    public var saturation: Double
    public var width: Double
    public var limiter: Double

    public init(eq: Double = 1, compression: Double = 1, saturation: Double = 1, width: Double = 1, limiter: Double = 1) {
        (self.eq, self.compression, self.saturation, self.width, self.limiter) = (eq, compression, saturation, width, limiter)
    }

    /// Every stage as written.
    public static let full = StageIntensity()

    /// The stages' names, as JSON and the command line spell them.
    public static let stageNames = ["eq", "compression", "saturation", "width", "limiter"]

    /// The share of stage `name` (one of `stageNames`).
    public subscript(stage name: String) -> Double? {
        get {
            switch name {
            case "eq": return eq
            case "compression": return compression
            case "saturation": return saturation
            case "width": return width
            case "limiter": return limiter
            default: return nil
            }
        }
        set {
            guard let newValue else { return }
            switch name {
            case "eq": eq = newValue
            case "compression": compression = newValue
            case "saturation": saturation = newValue
            case "width": width = newValue
            case "limiter": limiter = newValue
            default: break
            }
        }
    }

    /// Both applied: each stage's shares multiplied (a preset's own intensity, then the mix's).
    public func combined(with other: StageIntensity) -> StageIntensity {
        StageIntensity(
            eq: eq * other.eq, compression: compression * other.compression, saturation: saturation * other.saturation,
            width: width * other.width, limiter: limiter * other.limiter)
    }

    /// Throws `SettingsError` naming the stage when a share is outside 0…1 (0…100 %).
    public func validate() throws {
        for name in Self.stageNames {
            let share = self[stage: name]!
            guard share.isFinite, (0...1).contains(share) else {
                throw SettingsError(field: name, rule: "must be 0 to 100 %, got \(share * 100)")
            }
        }
    }

    // MARK: JSON, in percents

    enum CodingKeys: String, CodingKey {
        case eq, compression, saturation, width, limiter
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func share(_ key: CodingKeys) throws -> Double {
            guard let percent = try c.decodeIfPresent(Double.self, forKey: key) else { return 1 }
            guard (0...100).contains(percent) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "must be 0 to 100 (percent)")
            }
            return percent / 100
        }
        self.init(
            eq: try share(.eq), compression: try share(.compression), saturation: try share(.saturation), width: try share(.width),
            limiter: try share(.limiter))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(eq * 100, forKey: .eq)
        try c.encode(compression * 100, forKey: .compression)
        try c.encode(saturation * 100, forKey: .saturation)
        try c.encode(width * 100, forKey: .width)
        try c.encode(limiter * 100, forKey: .limiter)
    }
}

/// The intensity of a whole mix: one for every track's chain, one for the master's.
public struct MixIntensity: Sendable, Equatable, Codable {
    public var tracks: StageIntensity
    public var master: StageIntensity

    public init(tracks: StageIntensity = .full, master: StageIntensity = .full) {
        self.tracks = tracks
        self.master = master
    }

    public static let full = MixIntensity()
}

extension StageIntensity {
    /// `bands` at `share` of their gains; none at 0, all as written at 1.
    static func scaled(_ bands: [Equalizer.Band], by share: Double) -> [Equalizer.Band] {
        guard share < 1 else { return bands }
        guard share > 0 else { return [] }
        return bands.map { band in
            var band = band
            band.gainDB *= share
            return band
        }
    }

    /// A compressor at `share` of its ratio above 1:1 and of its makeup; none at 0.
    static func scaled(_ compressor: Compressor.Settings?, by share: Double) -> Compressor.Settings? {
        guard share < 1, var compressor else { return compressor }
        guard share > 0 else { return nil }
        compressor.ratio = 1 + (compressor.ratio - 1) * share
        compressor.makeupDB *= share
        return compressor
    }

    /// A width at `share` of its distance from 1.
    static func scaled(width: Double, by share: Double) -> Double {
        share < 1 ? 1 + (width - 1) * share : width
    }
}

extension RolePreset {
    /// This preset at `intensity` (its own `intensity`, if it has one, applied first).
    public func applying(_ intensity: StageIntensity) -> RolePreset {
        let share = (self.intensity ?? .full).combined(with: intensity)
        var preset = self
        preset.intensity = nil
        preset.eq = StageIntensity.scaled(eq, by: share.eq)
        if share.eq < 1, var air {
            air.gainDB *= share.eq
            preset.air = share.eq > 0 ? air : nil
        }
        preset.compressor = StageIntensity.scaled(compressor, by: share.compression)
        if share.saturation < 1, var saturation {
            saturation.mix *= share.saturation
            preset.saturation = share.saturation > 0 ? saturation : nil
        }
        preset.width = StageIntensity.scaled(width: width, by: share.width)
        return preset
    }
}

extension MixRecipe {
    /// This recipe's master at `intensity` (its own `intensity`, if it has one, applied first);
    /// saturation does not apply to the master. The limiter's share stays in `intensity` (nil
    /// when full): the gain search, not the chain, applies it.
    public func applying(_ intensity: StageIntensity) -> MixRecipe {
        let share = (self.intensity ?? .full).combined(with: intensity)
        var recipe = self
        recipe.intensity = share.limiter < 1 ? StageIntensity(limiter: share.limiter) : nil
        recipe.eq = StageIntensity.scaled(eq, by: share.eq)
        recipe.busCompressor = StageIntensity.scaled(busCompressor, by: share.compression)
        recipe.width = StageIntensity.scaled(width: width, by: share.width)
        return recipe
    }
}
