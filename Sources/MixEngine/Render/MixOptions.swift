import Foundation

/// Everything a mix is asked to do beyond the stems themselves.
public struct MixOptions: Sendable {
    /// The recipe's name (for the summary) and its settings.
    public var recipeName: String
    public var recipe: MixRecipe
    /// Track chains by role.
    public var presets: [Role: RolePreset]
    public var format: OutputFormat
    /// Meter frames per second of audio (10–60).
    public var framesPerSecond: Int
    /// The original's legacy mix: a plain sum with the role gains, no DSP.
    public var basic: Bool
    /// Per-stem changes by stem id (`StemReport.id`; in a folder, the file's name): extra gain
    /// (dB) and mute.
    public var stemGainsDB: [String: Double]
    public var mutedStems: Set<String>
    /// Tracks rendered at once (default: the core count).
    public var concurrency: Int
    /// How much of each automatic stage the tracks' chains and the master apply.
    public var intensity: MixIntensity
    /// A song whose tonal balance and loudness the master matches (`ReferenceMatch`), within
    /// the recipe's ceiling; not in the basic mix.
    public var reference: ReferenceTrack?

    public init(
        recipeName: String, recipe: MixRecipe, presets: [Role: RolePreset], format: OutputFormat = .wav24,
        framesPerSecond: Int = 30, basic: Bool = false, stemGainsDB: [String: Double] = [:],
        mutedStems: Set<String> = [], concurrency: Int = ProcessInfo.processInfo.activeProcessorCount,
        intensity: MixIntensity = .full, reference: ReferenceTrack? = nil
    ) {
        self.recipeName = recipeName
        self.recipe = recipe
        self.presets = presets
        self.format = format
        self.framesPerSecond = framesPerSecond
        self.basic = basic
        self.stemGainsDB = stemGainsDB
        self.mutedStems = mutedStems
        self.concurrency = max(1, concurrency)
        self.intensity = intensity
        self.reference = reference
    }

    /// These options as the chains are built from them: the presets and the recipe at the mix's
    /// intensity (each at its own first; `intensity` stays, for the summary), and the recipe's
    /// target the reference's loudness when there is one.
    var prepared: MixOptions {
        var options = self
        options.recipe = recipe.applying(intensity.master)
        options.presets = presets.mapValues { $0.applying(intensity.tracks) }
        if let reference, !basic { options.recipe.targetLUFS = max(-40, min(-3, reference.loudnessLUFS)) }
        return options
    }

    /// The built-in presets with the named recipe.
    public static func standard(recipe name: String = PresetLibrary.defaultRecipeName) throws -> MixOptions {
        let library = try PresetLibrary.load()
        return MixOptions(recipeName: name, recipe: try library.recipe(named: name), presets: library.rolePresets)
    }

    /// Frame rates a mix accepts.
    public static let framesPerSecondRange = 10...60
}
