/// Detects a stem's role from the words of its file name (SPEC §2): case-insensitive, over
/// words split at spaces, `_ - . ( )`, other punctuation and digits, with camelCase split too.
///
/// Words come in two strengths. Role words ("lead", "vox", "dbl", "harmony", "adlib", "beat",
/// "instrumental") decide; among them the most specific wins: "Lead Dbl" is a double,
/// "Harmony Vox" a harmony. Hints ("hook", "main", "stack", an instrument such as "drums" or
/// "808") decide only when no role word is there: "Hook Vox Piano Version" is a lead vocal,
/// "808" a beat. Phrases come first: "backing track" is a beat, not a backing vocal.
public enum RoleNameRules {
    /// Word pairs that mean something else than their words ("backing track": an instrumental).
    static let phrases: [(first: String, second: String, role: Role)] = [
        ("backing", "track", .beat), ("backing", "tracks", .beat), ("two", "track", .beat), ("ad", "lib", .adlib),
        ("ad", "libs", .adlib),
    ]

    /// Role words, most specific role first.
    static let roleWords: [(role: Role, words: Set<String>)] = [
        (.double, ["dbl", "dbls", "double", "doubles", "doubled", "dub", "dubs"]),
        (.harmony, [
            "harm", "harms", "harmony", "harmonies", "harmonie", "bgv", "bgvs", "bv", "bvs", "backing", "backings",
            "backup", "backups", "choir",
        ]),
        (.adlib, ["adlib", "adlibs", "adl", "adlb"]),
        (.beat, ["beat", "beats", "instrumental", "instrumentals", "inst", "instr", "riddim", "2track"]),
        (.lead, ["lead", "leads", "vox", "vocal", "vocals", "voc", "vocs", "voice", "lv", "ボーカル"]),
    ]

    /// Hints, used only when the name holds no role word.
    static let hintWords: [(role: Role, words: Set<String>)] = [
        (.double, ["stack", "stacks"]),
        (.harmony, ["ooh", "oohs", "aah", "aahs"]),
        (.adlib, ["hype", "hypes"]),
        (.beat, [
            "808", "808s", "drum", "drums", "music", "kick", "snare", "hats", "hihat", "hihats", "perc", "percussion",
            "bass", "keys", "piano", "guitar", "synth", "synths", "pad", "pads", "strings", "melody", "loop", "loops",
            "harmonica",
        ]),
        (.lead, ["main", "verse", "verses", "hook", "chorus", "rap"]),
    ]

    /// Word prefixes that name a role inside longer words ("harmonie", "instrumentale", "leadvox"),
    /// with the words that merely start the same way.
    static let prefixes: [(role: Role, prefix: String, except: Set<String>)] = [
        (.double, "doubl", []), (.harmony, "harmon", ["harmonica", "harmonicas"]), (.adlib, "adlib", []),
        (.beat, "instrument", []), (.lead, "leadvo", []), (.lead, "vocal", []),
    ]

    /// The role the name says, or nil when it says nothing ("Audio 1", "Track 07").
    public static func role(forFileName fileName: String) -> Role? {
        let words = words(of: fileName)
        for (first, second, role) in phrases where zip(words, words.dropFirst()).contains(where: { $0 == (first, second) }) {
            return role
        }
        for (role, names) in roleWords {
            if words.contains(where: names.contains) { return role }
            for entry in prefixes where entry.role == role
                && words.contains(where: { $0.hasPrefix(entry.prefix) && !entry.except.contains($0) })
            {
                return role
            }
        }
        for (role, names) in hintWords where words.contains(where: names.contains) {
            return role
        }
        return nil
    }

    /// The lower-cased words of a file name without its extension: letters, and runs of digits
    /// kept as words of their own ("808"), split at everything else and at camelCase humps.
    public static func words(of fileName: String) -> [String] {
        var base = fileName
        if let dot = base.lastIndex(of: "."), dot != base.startIndex,
            base[base.index(after: dot)...].count <= 5
        {
            base = String(base[..<dot])
        }
        var words: [String] = []
        var current = ""
        var currentIsDigits = false
        var previousWasLower = false
        func flush() {
            if !current.isEmpty { words.append(current.lowercased()) }
            current = ""
        }
        for character in base {
            let isDigit = character.isNumber && character.isASCII
            let isLetter = character.isLetter
            guard isDigit || isLetter else {
                flush()
                previousWasLower = false
                continue
            }
            let humps = isLetter && character.isUppercase && previousWasLower
            if !current.isEmpty, isDigit != currentIsDigits || humps { flush() }
            current.append(character)
            currentIsDigits = isDigit
            previousWasLower = isLetter && character.isLowercase
        }
        flush()
        return words
    }
}
