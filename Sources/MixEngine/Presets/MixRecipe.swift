import MixDSP

/// A named master-bus setting (the original's MIX_RECIPES entry): the blend's headroom, the
/// master EQ and bus compressor, the final width, and the loudness target with its true-peak
/// ceiling.
public struct MixRecipe: Sendable, Equatable, Codable {
    /// One line for people choosing a recipe.
    public var about: String
    /// Integrated loudness of the exported mix (±0.2 LU).
    public var targetLUFS: Double
    /// The exported mix's true peak never exceeds this.
    public var ceilingDBTP: Double
    /// The summed tracks are turned down by this much before the master chain.
    public var blendHeadroomDB: Double
    public var eq: [Equalizer.Band]
    public var busCompressor: Compressor.Settings?
    /// Mid/side width of the whole mix (1.15: the original's 0.15 widening), before the limiter.
    public var width: Double
    public var limiterLookaheadMs: Double
    public var limiterReleaseMs: Double

    public init(
        about: String = "", targetLUFS: Double = -14, ceilingDBTP: Double = -1, blendHeadroomDB: Double = 6,
        eq: [Equalizer.Band] = [], busCompressor: Compressor.Settings? = nil, width: Double = 1.15,
        limiterLookaheadMs: Double = 1.5, limiterReleaseMs: Double = 120
    ) {
        self.about = about
        self.targetLUFS = targetLUFS
        self.ceilingDBTP = ceilingDBTP
        self.blendHeadroomDB = blendHeadroomDB
        self.eq = eq
        self.busCompressor = busCompressor
        self.width = width
        self.limiterLookaheadMs = limiterLookaheadMs
        self.limiterReleaseMs = limiterReleaseMs
    }

    /// The limiter this recipe asks for.
    public var limiterSettings: TruePeakLimiter.Settings {
        TruePeakLimiter.Settings(ceilingDBTP: ceilingDBTP, lookaheadMs: limiterLookaheadMs, releaseMs: limiterReleaseMs)
    }

    /// Throws `SettingsError` naming the field (in Swift spelling) when a value is out of range.
    public func validate() throws {
        try SettingsError.check(targetLUFS, "targetLUFS", in: -40...(-3), unit: "LUFS")
        try SettingsError.check(blendHeadroomDB, "blendHeadroomDB", in: 0...40, unit: "dB")
        try SettingsError.check(width, "width", in: 0...2)
        try prefixed("eq") { try Equalizer.Settings(bands: eq).validate() }
        try prefixed("busCompressor") { try busCompressor?.validate() }
        do {
            try limiterSettings.validate()
        } catch let error as SettingsError {
            let field = ["ceilingDBTP": "ceilingDBTP", "lookaheadMs": "limiterLookaheadMs", "releaseMs": "limiterReleaseMs"]
            throw SettingsError(field: field[error.field] ?? error.field, rule: error.rule)
        }
    }
}
