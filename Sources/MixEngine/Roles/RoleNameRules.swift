/// Detects a stem's role from the words of its file name (SPEC §2): case-insensitive, over
/// words split at spaces, `_ - . ( )`, other punctuation and digits, with camelCase split too.
///
/// The most specific role named wins: "Lead Dbl" is a double, "Harmony Vox" a harmony, and
/// "ad-libs (hook)" an adlib, because "vox", "vocal" or "hook" alone only say "a voice".
public enum RoleNameRules {
    /// Words that name each role, most specific roles first.
    static let vocabulary: [(role: Role, words: Set<String>)] = [
        (.double, ["dbl", "dbls", "double", "doubles", "doubled", "dub", "dubs", "stack", "stacks"]),
        (.harmony, [
            "harm", "harms", "harmony", "harmonies", "harmonie", "bgv", "bgvs", "bv", "bvs",
            "backing", "backings", "backup", "backups", "choir", "ooh", "oohs", "aah", "aahs",
        ]),
        (.adlib, ["adlib", "adlibs", "ablib", "adl", "adlb", "hype", "hypes"]),
        (.beat, [
            "beat", "beats", "instrumental", "instrumentals", "inst", "instr", "808", "808s", "drum", "drums",
            "music", "riddim", "kick", "snare", "hats", "hihat", "hihats", "perc", "percussion", "bass",
            "keys", "piano", "guitar", "synth", "synths", "pad", "pads", "strings", "melody", "loop", "loops",
            "prod", "track2", "2track",
        ]),
        (.lead, [
            "lead", "leads", "main", "vox", "vocal", "vocals", "voc", "vocs", "voice", "lv", "verse", "verses",
            "hook", "chorus", "rap", "ボーカル",
        ]),
    ]

    /// Word prefixes that name a role inside longer words ("harmonie", "instrumentale", "leadvox").
    static let prefixes: [(role: Role, prefix: String)] = [
        (.double, "doubl"), (.harmony, "harmon"), (.adlib, "adlib"), (.beat, "instrument"),
        (.lead, "leadvo"), (.lead, "vocal"),
    ]

    /// The role the name says, or nil when it says nothing ("Audio 1", "Track 07").
    public static func role(forFileName fileName: String) -> Role? {
        let words = words(of: fileName)
        let joined = Set(zip(words, words.dropFirst()).map { $0 + $1 })  // "ad lib", "ad-libs"
        for (role, names) in vocabulary {
            if words.contains(where: names.contains) || joined.contains(where: names.contains) { return role }
            for entry in prefixes where entry.role == role && words.contains(where: { $0.hasPrefix(entry.prefix) }) {
                return role
            }
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
