/// The JSON key spelling of presets and recipes: snake_case with units as words
/// (`threshold_db`, `target_lufs`), mapped to Swift's unit suffixes (`thresholdDB`, `targetLUFS`).
enum PresetKeys {
    /// Units spelled in capitals in Swift names.
    private static let acronyms: [String: String] = ["db": "DB", "dbtp": "DBTP", "lufs": "LUFS", "lu": "LU"]

    /// `threshold_db` → `thresholdDB`, `de_esser` → `deEsser`.
    static func swiftName(_ jsonKey: String) -> String {
        let words = jsonKey.split(separator: "_", omittingEmptySubsequences: false).map(String.init)
        guard let first = words.first else { return jsonKey }
        return first + words.dropFirst().map { word in
            acronyms[word] ?? (word.prefix(1).uppercased() + word.dropFirst())
        }.joined()
    }

    /// `thresholdDB` → `threshold_db`; also rewrites the field names inside a path such as
    /// `bands[2].frequencyHz` → `bands[2].frequency_hz`.
    static func jsonName(_ swiftName: String) -> String {
        var result = ""
        let characters = Array(swiftName)
        for (index, character) in characters.enumerated() {
            if character.isUppercase, index > 0 {
                let previous = characters[index - 1]
                let nextIsLower = index + 1 < characters.count && characters[index + 1].isLowercase
                if previous.isLowercase || previous.isNumber || (previous.isUppercase && nextIsLower) {
                    result.append("_")
                }
            }
            result.append(Character(character.lowercased()))
        }
        return result
    }
}
