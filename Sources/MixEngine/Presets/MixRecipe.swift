import MixDSP

/// A named master-bus setting (the original's MIX_RECIPES entry): the balance of the groups,
/// the blend's headroom, the master EQ and bus compressor, the final width, and the loudness
/// target with its true-peak ceiling.
public struct MixRecipe: Sendable, Equatable, Codable {
    /// One line for people choosing a recipe.
    public var about: String
    /// Integrated loudness of the exported mix (±0.2 LU).
    public var targetLUFS: Double
    /// The exported mix's true peak never exceeds this.
    public var ceilingDBTP: Double
    /// The lead's loudness over the rest of the song (backing vocals and beat together), LU.
    public var leadReRestLU: Double
    /// The backing vocals' loudness, as a group, re: the lead, LU.
    public var backingReLeadLU: Double
    /// Room for the lead: a bell cut on the beat group, keyed by the lead (nil: none).
    public var leadRoom: KeyedDynamicBell.Settings?
    /// The summed tracks are turned down by this much before the master chain.
    public var blendHeadroomDB: Double
    public var eq: [Equalizer.Band]
    public var busCompressor: Compressor.Settings?
    /// Mid/side width of the whole mix (1.15: the original's 0.15 widening), before the limiter.
    public var width: Double
    public var limiterLookaheadMs: Double
    public var limiterReleaseMs: Double
    /// How much of its EQ, bus compression and width the master applies (nil: all).
    public var intensity: StageIntensity?

    public init(
        about: String = "", targetLUFS: Double = -14, ceilingDBTP: Double = -1, leadReRestLU: Double = 0.5,
        backingReLeadLU: Double = -10, leadRoom: KeyedDynamicBell.Settings? = nil, blendHeadroomDB: Double = 6,
        eq: [Equalizer.Band] = [], busCompressor: Compressor.Settings? = nil, width: Double = 1.15,
        limiterLookaheadMs: Double = 1.5, limiterReleaseMs: Double = 120, intensity: StageIntensity? = nil
    ) {
        self.about = about
        self.targetLUFS = targetLUFS
        self.ceilingDBTP = ceilingDBTP
        self.leadReRestLU = leadReRestLU
        self.backingReLeadLU = backingReLeadLU
        self.leadRoom = leadRoom
        self.blendHeadroomDB = blendHeadroomDB
        self.eq = eq
        self.busCompressor = busCompressor
        self.width = width
        self.limiterLookaheadMs = limiterLookaheadMs
        self.limiterReleaseMs = limiterReleaseMs
        self.intensity = intensity
    }

    /// The balance of the groups this recipe asks for.
    public var balance: GroupBalance {
        GroupBalance(leadReRestLU: leadReRestLU, backingReLeadLU: backingReLeadLU)
    }

    /// The limiter this recipe asks for.
    public var limiterSettings: TruePeakLimiter.Settings {
        TruePeakLimiter.Settings(ceilingDBTP: ceilingDBTP, lookaheadMs: limiterLookaheadMs, releaseMs: limiterReleaseMs)
    }

    /// Throws `SettingsError` naming the field (in Swift spelling) when a value is out of range.
    public func validate() throws {
        try SettingsError.check(targetLUFS, "targetLUFS", in: -40...(-3), unit: "LUFS")
        try SettingsError.check(leadReRestLU, "leadReRestLU", in: -6...6, unit: "LU")
        try SettingsError.check(backingReLeadLU, "backingReLeadLU", in: -30...0, unit: "LU")
        if backingReLeadLU > -leadReRestLU - 3 {
            // The backing vocals are part of the rest: alone they must leave the beat room in it.
            throw SettingsError(
                field: "backingReLeadLU",
                rule: "must be at least 3 LU under the rest (−leadReRestLU − 3 = \(-leadReRestLU - 3) LU)")
        }
        try SettingsError.check(blendHeadroomDB, "blendHeadroomDB", in: 0...40, unit: "dB")
        try SettingsError.check(width, "width", in: 0...2)
        try prefixed("eq") { try Equalizer.Settings(bands: eq).validate() }
        try prefixed("busCompressor") { try busCompressor?.validate() }
        try prefixed("intensity") { try intensity?.validate() }
        try prefixed("leadRoom") { try leadRoom?.validate() }
        do {
            try limiterSettings.validate()
        } catch let error as SettingsError {
            let field = ["ceilingDBTP": "ceilingDBTP", "lookaheadMs": "limiterLookaheadMs", "releaseMs": "limiterReleaseMs"]
            throw SettingsError(field: field[error.field] ?? error.field, rule: error.rule)
        }
    }
}
