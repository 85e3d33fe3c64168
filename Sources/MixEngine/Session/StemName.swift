/// File names are data, never paths: this turns whatever name a client or a folder gives
/// into one safe to show and to match on, without ever touching the file system with it.
public enum StemName {
    /// Longest name kept, in UTF-8 bytes (the Linux limit for one path component).
    public static let maximumByteCount = 255

    /// The name with control characters (NUL, CR, LF, …) removed, trimmed, and shortened at a
    /// character boundary to `maximumByteCount` bytes; "unnamed" when nothing is left.
    public static func displayName(_ raw: String) -> String {
        let cleaned = String(String.UnicodeScalarView(raw.unicodeScalars.filter { !$0.properties.isControlLike }))
            .trimmingCharactersInWhitespace()
        var shortened = ""
        var byteCount = 0
        for character in cleaned {
            let size = character.utf8.count
            if byteCount + size > maximumByteCount { break }
            shortened.append(character)
            byteCount += size
        }
        return shortened.isEmpty ? "unnamed" : shortened
    }
}

extension Unicode.Scalar.Properties {
    /// C0/C1 controls, line and paragraph separators, and bidi overrides that could disguise a name.
    fileprivate var isControlLike: Bool {
        switch generalCategory {
        case .control, .lineSeparator, .paragraphSeparator, .format: return true
        default: return false
        }
    }
}

extension String {
    fileprivate func trimmingCharactersInWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
