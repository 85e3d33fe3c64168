import CSndFile
import Foundation
import MixDSP

/// A libsndfile decoder streaming interleaved float frames in blocks: a stem is never read
/// whole into memory. Integer PCM comes out scaled to ±1.0; float files come out as stored
/// (a +60 dBFS float stem stays at 1000.0, for the loudness match to bring down).
public final class SndFileReader {
    /// Channels per frame.
    public let channelCount: Int
    /// Frames per second.
    public let sampleRate: Int
    /// libsndfile's major format (`SF_FORMAT_WAV`, `SF_FORMAT_MPEG`, …).
    let majorFormat: Int32
    /// libsndfile's sub-format (`SF_FORMAT_PCM_24`, `SF_FORMAT_VORBIS`, …).
    let subFormat: Int32
    /// libsndfile's own frame count: a hint only (it can be absurd or wrong); read to EOF.
    let reportedFrameCount: Int64
    private let handle: OpaquePointer

    /// Opens `url`, which must be (or link to) a regular file: a FIFO or device would block
    /// the decoder.
    public init(url: URL) throws {
        let attributes = try? FileManager.default.attributesOfItem(atPath: url.resolvingSymlinksInPath().path)
        guard attributes?[.type] as? FileAttributeType == .typeRegular else {
            throw InputRejection("not a regular file")
        }
        var info = SF_INFO()
        guard let handle = sf_open(url.path, Int32(SFM_READ), &info) else {
            throw InputRejection("not an audio file the decoder can read (\(String(cString: sf_strerror(nil))))")
        }
        self.handle = handle
        self.channelCount = Int(info.channels)
        self.sampleRate = Int(info.samplerate)
        self.majorFormat = info.format & Int32(SF_FORMAT_TYPEMASK)
        self.subFormat = info.format & Int32(SF_FORMAT_SUBMASK)
        self.reportedFrameCount = info.frames
        // Float files can hold values past ±1.0; never wrap or clip them on the way in.
        sf_command(handle, Int32(SFC_SET_CLIPPING), nil, Int32(SF_FALSE))
    }

    deinit {
        sf_close(handle)
    }

    /// Reads up to `frameCount` interleaved frames into `buffer` (room for
    /// `frameCount × channelCount` floats); returns the frames read, 0 at the end.
    public func read(into buffer: UnsafeMutablePointer<Float>, frameCount: Int) -> Int {
        Int(sf_readf_float(handle, buffer, sf_count_t(frameCount)))
    }

    /// Reads up to `frameCount` interleaved frames as 32-bit integers: integer PCM left-justified
    /// (a 24-bit code `c` reads as `c << 8`), exactly as stored. Returns the frames read.
    public func read(into buffer: UnsafeMutablePointer<Int32>, frameCount: Int) -> Int {
        Int(sf_readf_int(handle, buffer, sf_count_t(frameCount)))
    }

    /// The order the decoder delivers channels in: Vorbis order for Ogg, WAVE order otherwise.
    public var channelOrder: ChannelLayout.Order {
        majorFormat == Int32(SF_FORMAT_OGG) ? .vorbis : .wave
    }

    /// What libsndfile found, as the product's format description (used for MP3 and Ogg,
    /// whose headers are not parsed here).
    var decodedFormat: AudioFormat? {
        switch majorFormat {
        case Int32(SF_FORMAT_MPEG):
            return AudioFormat(container: .mp3, encoding: .codec(name: "MP3", bits: nil))
        case Int32(SF_FORMAT_OGG):
            switch subFormat {
            case Int32(SF_FORMAT_VORBIS): return AudioFormat(container: .ogg, encoding: .codec(name: "Vorbis", bits: nil))
            case Int32(SF_FORMAT_OPUS): return AudioFormat(container: .ogg, encoding: .codec(name: "Opus", bits: nil))
            default: return nil
            }
        default:
            return nil
        }
    }
}
