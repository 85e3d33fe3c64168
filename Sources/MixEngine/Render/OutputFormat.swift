/// What the mix is exported as: `wav24` (the default), `wav16`, `flac24`, `flac16`.
public enum OutputFormat: String, Sendable, Codable, CaseIterable {
    case wav24, wav16, flac24, flac16

    /// Bits per sample (the dither's target).
    public var bitDepth: Int {
        switch self {
        case .wav24, .flac24: return 24
        case .wav16, .flac16: return 16
        }
    }

    /// The file extension.
    public var fileExtension: String {
        switch self {
        case .wav24, .wav16: return "wav"
        case .flac24, .flac16: return "flac"
        }
    }

    var fileType: AudioFileWriter.FileType {
        switch self {
        case .wav24, .wav16: return .wav(bits: bitDepth)
        case .flac24, .flac16: return .flac(bits: bitDepth)
        }
    }
}
