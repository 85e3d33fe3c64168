/// The JSON header of a frame file: what a reader needs to make sense of the records.
public struct FrameFileHeader: Sendable, Equatable, Codable {
    /// One track's name and role, in record order.
    public struct Track: Sendable, Equatable, Codable {
        public var name: String
        public var role: Role

        public init(name: String, role: Role) {
            self.name = name
            self.role = role
        }
    }

    public var format = "mixdown-frames"
    /// 2 since chunks are zstd frames; version 1 files (zlib chunks) still read.
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

    enum CodingKeys: String, CodingKey {
        case format, version, tracks
        case framesPerSecond = "frames_per_second", sampleRate = "sample_rate", frameCount = "frame_count"
        case recordBytes = "record_bytes", framesPerChunk = "frames_per_chunk", bandCount = "band_count"
        case scopePoints = "scope_points", spectrumFloorDB = "spectrum_floor_db", spectrumStepDB = "spectrum_step_db"
    }

    /// The version this build writes.
    static let currentVersion = 2
    /// The versions this build reads.
    static let readableVersions = 1...2

    /// Marks the start of a frame file.
    static let magic: [UInt8] = Array("MIXFRAME".utf8)
    /// Marks its end (after the chunk index).
    static let footerMagic: [UInt8] = Array("MIXFEND!".utf8)
}
