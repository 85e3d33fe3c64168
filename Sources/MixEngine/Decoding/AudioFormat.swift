/// The container a stem arrives in, as recognised from its first bytes (not its extension).
public enum AudioContainer: String, Sendable, Codable {
    case wav = "WAV"
    case rf64 = "RF64"
    case rifx = "RIFX"
    case aiff = "AIFF"
    case flac = "FLAC"
    case mp3 = "MP3"
    case ogg = "Ogg"
}

/// How the samples are stored inside the container.
public enum SampleEncoding: Sendable, Equatable {
    /// Integer PCM of the given bit depth.
    case pcm(bits: Int)
    /// IEEE float of 32 or 64 bits.
    case float(bits: Int)
    /// A lossless or lossy codec (FLAC, MP3, Vorbis, Opus) with its source bit depth when known.
    case codec(name: String, bits: Int?)
}

/// A stem's format in words a producer reads: "WAV 24-bit PCM", "MP3", "Ogg Opus".
public struct AudioFormat: Sendable, Equatable {
    public var container: AudioContainer
    public var encoding: SampleEncoding
    /// WAVE_FORMAT_EXTENSIBLE header (shown, since some tools mishandle it).
    public var isExtensible: Bool = false

    public init(container: AudioContainer, encoding: SampleEncoding, isExtensible: Bool = false) {
        self.container = container
        self.encoding = encoding
        self.isExtensible = isExtensible
    }

    /// The short description shown in `inspect`.
    public var description: String {
        let box = isExtensible ? "\(container.rawValue) (extensible)" : container.rawValue
        switch encoding {
        case .pcm(let bits): return "\(box) \(bits)-bit PCM"
        case .float(let bits): return "\(box) \(bits)-bit float"
        case .codec(let name, let bits):
            if container == .flac { return bits.map { "FLAC \($0)-bit" } ?? "FLAC" }
            if container == .mp3 { return "MP3" }
            return "\(box) \(name)"
        }
    }
}
