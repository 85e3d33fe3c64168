/// A preset or recipe file that cannot be used: names the file, the key path and the reason
/// (`"my_presets.json: lead.compressor.ratio: must be between 1 and 100 (got 0.5)"`).
public struct PresetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file, by name ("role_presets.json" for the built-in one).
    public var source: String
    /// Dotted path of the key (`lead.compressor.ratio`); empty for the whole file.
    public var keyPath: String
    public var reason: String

    public init(source: String, keyPath: String, reason: String) {
        self.source = source
        self.keyPath = keyPath
        self.reason = reason
    }

    public var description: String {
        keyPath.isEmpty ? "\(source): \(reason)" : "\(source): \(keyPath): \(reason)"
    }
}
