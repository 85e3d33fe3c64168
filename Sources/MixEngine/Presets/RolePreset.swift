import MixDSP

/// One role's track chain (the original's ROLE_PRESETS entry): the loudness the stem is
/// matched to, then each stage in chain order; a stage that is nil is left out.
public struct RolePreset: Sendable, Equatable, Codable {
    /// Loudness match: the stem's gated BS.1770 loudness is brought to this level first.
    public var targetLUFS: Double
    /// EQ bands in order (RBJ biquads).
    public var eq: [Equalizer.Band]
    public var compressor: Compressor.Settings?
    public var saturation: Saturator.Settings?
    /// The fader: the role's level in the mix relative to its matched loudness.
    public var gainDB: Double
    public var deEsser: DeEsser.Settings?
    public var air: Air.Settings?
    /// Mid/side width (1 = unchanged; a mono stem has no side to widen).
    public var width: Double
    /// How much of its EQ, compression, saturation and width the preset applies (nil: all).
    public var intensity: StageIntensity?

    public init(
        targetLUFS: Double, eq: [Equalizer.Band] = [], compressor: Compressor.Settings? = nil,
        saturation: Saturator.Settings? = nil, gainDB: Double = 0, deEsser: DeEsser.Settings? = nil,
        air: Air.Settings? = nil, width: Double = 1, intensity: StageIntensity? = nil
    ) {
        self.targetLUFS = targetLUFS
        self.eq = eq
        self.compressor = compressor
        self.saturation = saturation
        self.gainDB = gainDB
        self.deEsser = deEsser
        self.air = air
        self.width = width
        self.intensity = intensity
    }

    /// Where the role is meant to sit: its matched loudness plus its fader.
    public var mixLevelLUFS: Double { targetLUFS + gainDB }

    /// Throws `SettingsError` naming the field (in Swift spelling) when a value is out of range.
    public func validate() throws {
        try SettingsError.check(targetLUFS, "targetLUFS", in: -60...0, unit: "LUFS")
        try SettingsError.check(gainDB, "gainDB", in: -60...24, unit: "dB")
        try SettingsError.check(width, "width", in: 0...2)
        try prefixed("eq") { try Equalizer.Settings(bands: eq).validate() }
        try prefixed("compressor") { try compressor?.validate() }
        try prefixed("saturation") { try saturation?.validate() }
        try prefixed("deEsser") { try deEsser?.validate() }
        try prefixed("air") { try air?.validate() }
        try prefixed("intensity") { try intensity?.validate() }
    }
}

/// Runs `body`, putting `prefix.` before the field of a `SettingsError` it throws.
func prefixed(_ prefix: String, _ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as SettingsError {
        let field = error.field.hasPrefix("bands") ? String(error.field.dropFirst("bands".count)) : "." + error.field
        throw SettingsError(field: prefix + field, rule: error.rule)
    }
}
