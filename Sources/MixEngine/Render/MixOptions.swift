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

    public init(
        recipeName: String, recipe: MixRecipe, presets: [Role: RolePreset], format: OutputFormat = .wav24,
        framesPerSecond: Int = 30, basic: Bool = false, stemGainsDB: [String: Double] = [:],
        mutedStems: Set<String> = [], concurrency: Int = ProcessInfo.processInfo.activeProcessorCount
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
    }

    /// The built-in presets with the named recipe.
    public static func standard(recipe name: String = PresetLibrary.defaultRecipeName) throws -> MixOptions {
        let library = try PresetLibrary.load()
        return MixOptions(recipeName: name, recipe: try library.recipe(named: name), presets: library.rolePresets)
    }

    /// Frame rates a mix accepts.
    public static let framesPerSecondRange = 10...60
}
