/// The JSON header of a frame file: what a reader needs to make sense of the records.
public struct FrameFileHeader: Sendable, Equatable, Codable {
    /// One track's name, role and stem id, in record order.
    public struct Track: Sendable, Equatable, Codable {
        public var name: String
        public var role: Role
        /// The stem's id (the service's stem id, or the file's name in a folder); absent from
        /// files before version 3.
        public var id: String?

        public init(name: String, role: Role, id: String? = nil) {
            self.name = name
            self.role = role
            self.id = id
        }
    }

    public var format = "mixdown-frames"
    /// 3 since the master keeps the loudness so far (integrated, range, highest true peak); 2
    /// brought zstd chunks; version 1 and 2 files still read.
    public var version = FrameFileHeader.currentVersion
    public var framesPerSecond: Int
    public var sampleRate: Int
    public var frameCount: Int
    public var recordBytes: Int
    public var framesPerChunk: Int
    public var bandCount = FrameLayout.bandCount
    public var scopePoints = FrameLayout.scopePointCount
    public var spectrumFloorDB = -120.0
    public var spectrumStepDB = 1.0
    public var tracks: [Track]

    public init(framesPerSecond: Int, sampleRate: Int, frameCount: Int, tracks: [Track], framesPerChunk: Int) {
        self.framesPerSecond = framesPerSecond
        self.sampleRate = sampleRate
        self.frameCount = frameCount
        self.tracks = tracks
        self.framesPerChunk = framesPerChunk
        recordBytes = FrameLayout(trackCount: tracks.count).recordBytes
    }

    /// The layout of this file's records (the master grew in version 3).
    public var layout: FrameLayout { FrameLayout(trackCount: tracks.count, version: version) }

    /// Each track's name, made unique where two stems share one (`Lead.wav`, `Lead.wav (2)`):
    /// the keys of the JSON shapes, which the original keyed by name.
    public var trackKeys: [String] { Self.uniqueKeys(tracks.map(\.name)) }

    /// `names`, each repeat suffixed ` (2)`, ` (3)`… so that every key is unique.
    public static func uniqueKeys(_ names: [String]) -> [String] {
        var taken = Set<String>()
        return names.map { name in
            var key = name
            var copy = 2
            while taken.contains(key) {
                key = "\(name) (\(copy))"
                copy += 1
            }
            taken.insert(key)
            return key
        }
    }

    enum CodingKeys: String, CodingKey {
        case format, version, tracks
        case framesPerSecond = "frames_per_second", sampleRate = "sample_rate", frameCount = "frame_count"
        case recordBytes = "record_bytes", framesPerChunk = "frames_per_chunk", bandCount = "band_count"
        case scopePoints = "scope_points", spectrumFloorDB = "spectrum_floor_db", spectrumStepDB = "spectrum_step_db"
    }

    /// The version this build writes.
    public static let currentVersion = 4
    /// The versions this build reads.
    static let readableVersions = 1...4

    /// Marks the start of a frame file.
    static let magic: [UInt8] = Array("MIXFRAME".utf8)
    /// Marks its end (after the chunk index).
    static let footerMagic: [UInt8] = Array("MIXFEND!".utf8)
}
