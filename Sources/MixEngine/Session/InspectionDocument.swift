/// The JSON of `mixdown inspect --json` (and of the service's stem listings):
/// `{"session_rate", "files": [{"file", "format", …, "usable", "problems"}]}`.
public struct InspectionDocument: Codable, Sendable, Equatable {
    public var sessionRate: Int
    public var files: [File]
    public var ignored: [String]

    /// One file's row.
    public struct File: Codable, Sendable, Equatable {
        public var file: String
        public var format: String?
        public var sampleRate: Int?
        public var channels: Int?
        public var durationS: Double?
        public var peakDbfs: Double?
        public var loudnessLufs: Double?
        public var role: String
        public var roleGuessed: Bool
        public var usable: Bool
        public var problems: [String]

        enum CodingKeys: String, CodingKey {
            case file, format, channels, role, usable, problems
            case sampleRate = "sample_rate"
            case durationS = "duration_s"
            case peakDbfs = "peak_dbfs"
            case loudnessLufs = "loudness_lufs"
            case roleGuessed = "role_guessed"
        }

        // Every key is always present (null when unknown), so clients need not guess.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(file, forKey: .file)
            try container.encode(format, forKey: .format)
            try container.encode(sampleRate, forKey: .sampleRate)
            try container.encode(channels, forKey: .channels)
            try container.encode(durationS, forKey: .durationS)
            try container.encode(peakDbfs, forKey: .peakDbfs)
            try container.encode(loudnessLufs, forKey: .loudnessLufs)
            try container.encode(role, forKey: .role)
            try container.encode(roleGuessed, forKey: .roleGuessed)
            try container.encode(usable, forKey: .usable)
            try container.encode(problems, forKey: .problems)
        }
    }

    enum CodingKeys: String, CodingKey {
        case files, ignored
        case sessionRate = "session_rate"
    }

    public init(_ inspection: SessionInspection) {
        sessionRate = inspection.sessionRate
        ignored = inspection.ignored
        files = inspection.stems.map { stem in
            File(
                file: stem.fileName, format: stem.format?.description, sampleRate: stem.sampleRate,
                channels: stem.channelCount, durationS: stem.durationSeconds.map { ($0 * 1000).rounded() / 1000 },
                peakDbfs: stem.peakDBFS.map(Self.hundredths), loudnessLufs: stem.loudnessLUFS.map(Self.hundredths),
                role: stem.role.role.rawValue, roleGuessed: stem.role.isGuessed, usable: stem.isUsable,
                problems: stem.problems)
        }
    }

    private static func hundredths(_ value: Double) -> Double { (value * 100).rounded() / 100 }
}
