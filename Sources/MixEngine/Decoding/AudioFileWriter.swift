import CSndFile
import Foundation

/// Writes audio files through libsndfile, a block at a time, under a temporary name that is
/// renamed into place on `finish()`, so no one ever reads a half-written file.
public final class AudioFileWriter {
    /// The file types and sample formats Mixdown writes.
    public enum FileType: Sendable, Equatable {
        case wav(bits: Int)
        /// 32- or 64-bit IEEE float WAV.
        case wavFloat(bits: Int)
        /// WAVE_FORMAT_EXTENSIBLE with PCM samples.
        case wavExtensible(bits: Int)
        case flac(bits: Int)
        case aiff(bits: Int)
        case mp3
        case oggVorbis
        case oggOpus
        case rf64(bits: Int)

        var sndfileFormat: Int32 {
            func pcm(_ bits: Int) -> Int32 {
                switch bits {
                case 8: return Int32(SF_FORMAT_PCM_U8)
                case 16: return Int32(SF_FORMAT_PCM_16)
                case 24: return Int32(SF_FORMAT_PCM_24)
                default: return Int32(SF_FORMAT_PCM_32)
                }
            }
            switch self {
            case .wav(let bits): return Int32(SF_FORMAT_WAV) | pcm(bits)
            case .wavFloat(let bits): return Int32(SF_FORMAT_WAV) | Int32(bits == 64 ? SF_FORMAT_DOUBLE : SF_FORMAT_FLOAT)
            case .wavExtensible(let bits): return Int32(SF_FORMAT_WAVEX) | pcm(bits)
            case .flac(let bits): return Int32(SF_FORMAT_FLAC) | (bits == 8 ? Int32(SF_FORMAT_PCM_S8) : pcm(bits))
            case .aiff(let bits): return Int32(SF_FORMAT_AIFF) | (bits == 8 ? Int32(SF_FORMAT_PCM_S8) : pcm(bits))
            case .mp3: return Int32(SF_FORMAT_MPEG) | Int32(SF_FORMAT_MPEG_LAYER_III)
            case .oggVorbis: return Int32(SF_FORMAT_OGG) | Int32(SF_FORMAT_VORBIS)
            case .oggOpus: return Int32(SF_FORMAT_OGG) | Int32(SF_FORMAT_OPUS)
            case .rf64(let bits): return Int32(SF_FORMAT_RF64) | pcm(bits)
            }
        }
    }

    /// Where the file will be once `finish()` succeeds.
    public let url: URL
    private let temporaryURL: URL
    private let channelCount: Int
    private var handle: OpaquePointer?
    private var committed = false

    /// Starts a file of `channelCount` channels at `sampleRate`.
    public init(url: URL, type: FileType, sampleRate: Int, channelCount: Int) throws {
        self.url = url
        self.channelCount = channelCount
        self.temporaryURL = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).partial")
        var info = SF_INFO()
        info.samplerate = Int32(sampleRate)
        info.channels = Int32(channelCount)
        info.format = type.sndfileFormat
        guard let handle = sf_open(temporaryURL.path, Int32(SFM_WRITE), &info) else {
            throw InputRejection("cannot write \(url.lastPathComponent): \(String(cString: sf_strerror(nil)))")
        }
        self.handle = handle
        // Out-of-range samples clip rather than wrap around in integer formats.
        sf_command(handle, Int32(SFC_SET_CLIPPING), nil, Int32(SF_TRUE))
    }

    deinit {
        if let handle { sf_close(handle) }
        // Whatever happened, a file that was not put in place is not left behind.
        if !committed { try? FileManager.default.removeItem(at: temporaryURL) }
    }

    /// Appends `frameCount` interleaved frames.
    public func write(interleaved: UnsafePointer<Float>, frameCount: Int) throws {
        guard let handle else { return }
        let written = sf_writef_float(handle, interleaved, sf_count_t(frameCount))
        guard written == frameCount else {
            throw InputRejection("cannot write \(url.lastPathComponent): \(String(cString: sf_strerror(handle)))")
        }
    }

    /// Appends `frameCount` interleaved frames of left-justified integer samples (a 24-bit code
    /// `c` as `c << 8`): integer formats store them exactly, with no float conversion between.
    public func write(interleavedCodes codes: UnsafePointer<Int32>, frameCount: Int) throws {
        guard let handle else { return }
        let written = sf_writef_int(handle, codes, sf_count_t(frameCount))
        guard written == frameCount else {
            throw InputRejection("cannot write \(url.lastPathComponent): \(String(cString: sf_strerror(handle)))")
        }
    }

    /// Appends interleaved frames from an array.
    public func write(interleaved samples: [Float]) throws {
        try samples.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            try write(interleaved: base, frameCount: buffer.count / channelCount)
        }
    }

    /// Closes the file and moves it into place.
    public func finish() throws {
        try close()
        try commit()
    }

    /// Closes the file but leaves it under its temporary name (`temporaryURL`), to be checked
    /// before `commit()` moves it into place or `discard()` removes it.
    public func close() throws {
        guard let handle else { return }
        self.handle = nil
        // Closing flushes the encoder and rewrites the header: a failure here is a failed write.
        guard sf_close(handle) == 0 else {
            throw InputRejection("cannot write \(url.lastPathComponent): closing the file failed (disk full?)")
        }
    }

    /// The file while it is being written or reviewed.
    public var pendingURL: URL { temporaryURL }

    /// Moves the closed file into place. rename(2) replaces the target atomically: readers see
    /// the old file or the new one, never half of one.
    public func commit() throws {
        committed = true
        guard rename(temporaryURL.path, url.path) == 0 else {
            try? FileManager.default.removeItem(at: temporaryURL)
            throw InputRejection("cannot write \(url.lastPathComponent): rename failed (errno \(errno))")
        }
    }

    /// Removes the file (closing it first if it is open) without putting it in place.
    public func discard() {
        if let handle {
            self.handle = nil
            sf_close(handle)
        }
        committed = true
        try? FileManager.default.removeItem(at: temporaryURL)
    }
}
