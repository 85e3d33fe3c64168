import Foundation

/// Everything `inspect` learns about one file: what it is, how loud, its role, and whether
/// it can be used (with the reason when it cannot).
public struct StemReport: Sendable {
    /// What identifies the stem in its session: the service's stem id, or in a folder the file's
    /// real name. Two stems may share a shown name; never an id.
    public var id: String
    /// The file's name as shown (data, never a path).
    public var fileName: String
    /// Format in words ("WAV 24-bit PCM"); nil when the file is not recognisable audio.
    public var format: AudioFormat?
    public var sampleRate: Int?
    public var channelCount: Int?
    /// Frames really decoded (not the header's claim).
    public var frameCount: Int64?
    /// Highest absolute sample in dBFS; nil for digital silence.
    public var peakDBFS: Double?
    /// Integrated loudness (BS.1770, gated) in LUFS; nil for silence or under 400 ms of audio.
    public var loudnessLUFS: Double?
    /// The role and where it came from.
    public var role: RoleAssignment
    /// Why the file cannot be used; nil when it can.
    public var rejection: InputRejection?
    /// Things worth knowing that do not stop the file being used.
    public var notes: [String]
    /// What the role guesser needs (present for usable files).
    public var contentFeatures: ContentFeatures?
    /// Where the file is (its real name may differ from `fileName`, which is made safe to show).
    public var url: URL?

    public init(
        id: String? = nil, fileName: String, format: AudioFormat? = nil, sampleRate: Int? = nil, channelCount: Int? = nil,
        frameCount: Int64? = nil, peakDBFS: Double? = nil, loudnessLUFS: Double? = nil,
        role: RoleAssignment = RoleAssignment(.other, source: .content), rejection: InputRejection? = nil,
        notes: [String] = [], contentFeatures: ContentFeatures? = nil, url: URL? = nil
    ) {
        self.id = id ?? url?.lastPathComponent ?? fileName
        self.fileName = fileName
        self.format = format
        self.sampleRate = sampleRate
        self.channelCount = channelCount
        self.frameCount = frameCount
        self.peakDBFS = peakDBFS
        self.loudnessLUFS = loudnessLUFS
        self.role = role
        self.rejection = rejection
        self.notes = notes
        self.contentFeatures = contentFeatures
        self.url = url
    }

    /// Whether the file can be mixed.
    public var isUsable: Bool { rejection == nil }

    /// Length in seconds of what was decoded.
    public var durationSeconds: Double? {
        guard let frameCount, let sampleRate, sampleRate > 0 else { return nil }
        return Double(frameCount) / Double(sampleRate)
    }

    /// The rejection reason first, then the notes.
    public var problems: [String] {
        (rejection.map { [$0.reason] } ?? []) + notes
    }

    /// "Dbl L.wav: truncated: …", the line a producer reads.
    public var rejectionMessage: String? {
        rejection.map { "\(fileName): \($0.reason)" }
    }
}
