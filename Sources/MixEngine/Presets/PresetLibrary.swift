import Foundation
import MixDSP

/// The role presets and mix recipes in force: the built-in JSON resources, each optionally
/// merged with a user's file (`--presets FILE`, `--recipes FILE`).
///
/// A user file is merged key by key onto the built-in values: `{"lead": {"gain_db": 2}}` changes
/// one number; `null` removes a stage (`{"beat": {"compressor": null}}`); a new recipe starts from
/// `balanced`. A key that is not known, a value of the wrong type or out of range is an error
/// naming the file and the key.
public struct PresetLibrary: Sendable {
    public var rolePresets: [Role: RolePreset]
    public var recipes: [String: MixRecipe]

    /// The recipe a mix uses when none is named.
    public static let defaultRecipeName = "balanced"

    /// The built-in presets and recipes, merged with the files given.
    public static func load(presetsFile: URL? = nil, recipesFile: URL? = nil) throws -> PresetLibrary {
        var presetTree = try builtIn("role_presets")
        if let presetsFile {
            let user = try readObject(presetsFile)
            for name in user.keys.sorted() where Role(rawValue: name) == nil {
                throw PresetError(
                    source: presetsFile.lastPathComponent, keyPath: name,
                    reason: "not a role; roles are \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            presetTree = merge(presetTree, user)
        }
        var recipeTree = try builtIn("mix_recipes")
        if let recipesFile {
            let user = try readObject(recipesFile)
            let base = recipeTree[defaultRecipeName] as? [String: Any] ?? [:]
            for (name, value) in user {
                guard let value = value as? [String: Any] else {
                    throw PresetError(source: recipesFile.lastPathComponent, keyPath: name, reason: "expected a JSON object")
                }
                recipeTree[name] = merge(recipeTree[name] as? [String: Any] ?? base, value)
            }
        }
        let presetsSource = presetsFile?.lastPathComponent ?? "role_presets.json"
        let recipesSource = recipesFile?.lastPathComponent ?? "mix_recipes.json"
        var library = PresetLibrary(rolePresets: [:], recipes: [:])
        for role in Role.allCases {
            guard let entry = presetTree[role.rawValue] else {
                throw PresetError(source: presetsSource, keyPath: role.rawValue, reason: "missing: every role needs a preset")
            }
            let preset = try decode(RolePreset.self, from: entry, name: role.rawValue, source: presetsSource)
            try validated(name: role.rawValue, source: presetsSource) { try preset.validate() }
            library.rolePresets[role] = preset
        }
        for (name, entry) in recipeTree {
            guard name.range(of: "^[a-z0-9_-]{1,40}$", options: .regularExpression) != nil else {
                throw PresetError(source: recipesSource, keyPath: name, reason: "a recipe name is 1–40 of a–z, 0–9, _ and -")
            }
            let recipe = try decode(MixRecipe.self, from: entry, name: name, source: recipesSource)
            try validated(name: name, source: recipesSource) { try recipe.validate() }
            library.recipes[name] = recipe
        }
        return library
    }

    /// Recipe names in a stable order (the built-in order first would need the file's order,
    /// which JSON objects do not keep; alphabetical is what a listing shows).
    public var recipeNames: [String] { recipes.keys.sorted() }

    /// The preset for `role`.
    public func preset(for role: Role) -> RolePreset {
        rolePresets[role]!
    }

    /// The recipe called `name`, or an error listing the ones there are.
    public func recipe(named name: String) throws -> MixRecipe {
        guard let recipe = recipes[name] else {
            throw PresetError(
                source: "recipe", keyPath: "",
                reason: "no recipe named '\(name)'; recipes are \(recipeNames.joined(separator: ", "))")
        }
        return recipe
    }

    // MARK: JSON trees

    private static func builtIn(_ name: String) throws -> [String: Any] {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json") else {
            throw PresetError(source: "\(name).json", keyPath: "", reason: "the built-in resource is missing from the build")
        }
        return try readObject(url)
    }

    private static func readObject(_ url: URL) throws -> [String: Any] {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw PresetError(source: url.lastPathComponent, keyPath: "", reason: "cannot read the file")
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw PresetError(source: url.lastPathComponent, keyPath: "", reason: "not valid JSON")
        }
        guard let dictionary = object as? [String: Any] else {
            throw PresetError(source: url.lastPathComponent, keyPath: "", reason: "expected a JSON object at the top")
        }
        return dictionary
    }

    /// Objects merge key by key; anything else in `overlay` replaces what `base` has.
    static func merge(_ base: [String: Any], _ overlay: [String: Any]) -> [String: Any] {
        var result = base
        for (key, value) in overlay {
            if let inner = value as? [String: Any], let existing = base[key] as? [String: Any] {
                result[key] = merge(existing, inner)
            } else {
                result[key] = value
            }
        }
        return result
    }

    // MARK: Decoding with errors that name the key

    private static func decode<T: Codable>(_ type: T.Type, from tree: Any, name: String, source: String) throws -> T {
        guard tree is [String: Any] else {
            throw PresetError(source: source, keyPath: name, reason: "expected a JSON object")
        }
        let data = try JSONSerialization.data(withJSONObject: tree)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .custom { path in PresetCodingKey(PresetKeys.swiftName(path.last!.stringValue)) }
        let value: T
        do {
            value = try decoder.decode(T.self, from: data)
        } catch let error as DecodingError {
            throw presetError(error, name: name, source: source)
        }
        // JSONDecoder skips keys it does not know; a typo ("treshold_db") must not be silently
        // ignored, so compare the keys given with the keys the decoded value writes back.
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .custom { path in PresetCodingKey(PresetKeys.jsonName(path.last!.stringValue)) }
        let known = try JSONSerialization.jsonObject(with: encoder.encode(value))
        if let unknown = firstUnknownKey(given: tree, known: known, path: name) {
            throw PresetError(source: source, keyPath: unknown, reason: "unknown key")
        }
        return value
    }

    private static func firstUnknownKey(given: Any, known: Any, path: String) -> String? {
        if let given = given as? [String: Any] {
            let known = known as? [String: Any] ?? [:]
            for key in given.keys.sorted() where !(given[key] is NSNull) {
                guard let inner = known[key] else { return "\(path).\(key)" }
                if let found = firstUnknownKey(given: given[key]!, known: inner, path: "\(path).\(key)") { return found }
            }
        } else if let given = given as? [Any], let known = known as? [Any] {
            for (index, element) in given.enumerated() where index < known.count {
                if let found = firstUnknownKey(given: element, known: known[index], path: "\(path)[\(index)]") {
                    return found
                }
            }
        }
        return nil
    }

    private static func presetError(_ error: DecodingError, name: String, source: String) -> PresetError {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.reduce(name) { result, key in
                key.intValue.map { "\(result)[\($0)]" } ?? "\(result).\(PresetKeys.jsonName(key.stringValue))"
            }
        }
        switch error {
        case .keyNotFound(let key, let context):
            return PresetError(
                source: source, keyPath: path(context.codingPath + [key]), reason: "missing")
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            return PresetError(source: source, keyPath: path(context.codingPath), reason: "expected \(typeName(type))")
        case .dataCorrupted(let context):
            return PresetError(source: source, keyPath: path(context.codingPath), reason: "not an allowed value")
        @unknown default:
            return PresetError(source: source, keyPath: name, reason: "cannot be read")
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Double.Type, is Float.Type, is Int.Type: return "a number"
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        default: return type is [Any].Type ? "a list" : "an object"
        }
    }

    private static func validated(name: String, source: String, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as SettingsError {
            throw PresetError(source: source, keyPath: "\(name).\(PresetKeys.jsonName(error.field))", reason: error.rule)
        }
    }
}

/// A coding key made from a string (for the key spelling strategies).
struct PresetCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }

    init(_ string: String) {
        stringValue = string
    }

    init?(stringValue: String) {
        self.stringValue = stringValue
    }

    init?(intValue: Int) {
        nil
    }
}
