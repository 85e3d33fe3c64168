/// Recognises what a file is from its first bytes, because extensions lie ("image.png.wav")
/// and libsndfile's own guesses can read garbage as audio.
enum SniffedKind: Hashable {
    case riffWave
    case rifxWave
    case rf64Wave
    case riffOther(form: String)
    case aiff
    case flac
    case ogg
    case mp3
    /// Something recognisable that is not audio: "a PNG image", "a web page (HTML)".
    case notAudio(String)
    /// A container's magic with the file ending before its form type.
    case truncatedHeader
    case unknown
}

enum FileSniffer {
    /// Bytes read from the start of a file to decide what it is.
    static let prefixLength = 64

    static func sniff(_ prefix: [UInt8]) -> SniffedKind {
        let reader = ByteReader(prefix)
        if ["RIFF", "RIFX", "RF64", "BW64", "FORM"].contains(reader.fourCC(at: 0)), prefix.count < 12 {
            return .truncatedHeader
        }
        let magic = reader.fourCC(at: 0)
        let form = reader.fourCC(at: 8)
        switch magic {
        case "RIFF": return form == "WAVE" ? .riffWave : .riffOther(form: form ?? "")
        case "RIFX": return form == "WAVE" ? .rifxWave : .riffOther(form: form ?? "")
        case "RF64", "BW64": return form == "WAVE" ? .rf64Wave : .riffOther(form: form ?? "")
        case "FORM" where form == "AIFF" || form == "AIFC": return .aiff
        case "fLaC": return .flac
        case "OggS": return .ogg
        default: break
        }
        if prefix.starts(with: [0x49, 0x44, 0x33]) { return .mp3 }  // "ID3" tag, then MPEG frames
        if prefix.count >= 2, prefix[0] == 0xFF, prefix[1] & 0xE0 == 0xE0, prefix[1] & 0x06 != 0 {
            return .mp3  // MPEG audio frame sync with a layer set
        }
        return recogniseNonAudio(prefix)
    }

    private static func recogniseNonAudio(_ prefix: [UInt8]) -> SniffedKind {
        let signatures: [([UInt8], String)] = [
            ([0x89, 0x50, 0x4E, 0x47], "a PNG image"),
            ([0xFF, 0xD8, 0xFF], "a JPEG image"),
            ([0x47, 0x49, 0x46, 0x38], "a GIF image"),
            ([0x25, 0x50, 0x44, 0x46], "a PDF document"),
            ([0x50, 0x4B, 0x03, 0x04], "a ZIP archive"),
            ([0x7F, 0x45, 0x4C, 0x46], "a program (ELF)"),
        ]
        for (signature, name) in signatures where prefix.starts(with: signature) {
            return .notAudio(name)
        }
        let text = String(decoding: prefix, as: UTF8.self).lowercased()
        if text.contains("<!doctype html") || text.contains("<html") {
            return .notAudio("a web page (HTML)")
        }
        let printable = prefix.allSatisfy { $0 == 9 || $0 == 10 || $0 == 13 || $0 >= 32 }
        if !prefix.isEmpty, printable, !String(decoding: prefix, as: UTF8.self).contains("\u{FFFD}") {
            return .notAudio("text")
        }
        return .unknown
    }
}
