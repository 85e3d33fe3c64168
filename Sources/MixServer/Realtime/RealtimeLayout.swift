import Foundation
import MixEngine

/// The binary message of `/ws/mix/realtime/{job_id}` (`encoding=binary`, documented in
/// `docs/realtime-stream.md`): little-endian, every section 8-byte aligned from the message's
/// start, so a browser reads each with a typed array over the message's `ArrayBuffer`, no copy.
///
/// ```
///  0  u8×4  "MXRT"              4  u16 version (1)      6  u16 prefix bytes (32)
///  8  u32   sequence           12  u32 frame index     16  f64 media time, s
/// 24  f64   server send time, Unix ms
/// 32  u16   channel mask       34  u16 flags           36  u16 track count   38 u16 0
/// 40  sections, in this order, each present only when asked:
///     meters    int16 × (4·T + 6): per track rms, peak, compressor GR, de-esser GR;
///               master bus GR, limiter GR, rms, sample peak, true peak, 0       (centi-dB)
///     loudness  int16 × 6: momentary, short-term, integrated, LRA, true peak max, 0
///     spectra   uint8 × 256·(T + 2): tracks, pre-master, post-master (dB + 120)
///     scope     int16 × 4: correlations pre, post, final, 0 (× 32767);
///               int8 × 3·1536: per scope waveform[512], mid[512], side[512] (× 127)
/// ```
/// Levels in centi-dB read `-32768` for "none" (silence, or not measured yet).
struct RealtimeLayout: Sendable, Equatable {
    static let version: UInt16 = 1
    static let magic: [UInt8] = Array("MXRT".utf8)
    /// The per-socket part: magic, version, sequence, frame, times.
    static let prefixBytes = 32
    /// The shared part's own header: channel mask, flags, track count.
    static let bodyHeaderBytes = 8

    /// Flags of a frame.
    struct Flags: OptionSet, Sendable {
        let rawValue: UInt16
        /// Both passes have run: the master's meters are filled.
        static let complete = Flags(rawValue: 1)
        /// Replayed from the job's frame file (not live from the render).
        static let replay = Flags(rawValue: 2)
        /// The song's last frame.
        static let last = Flags(rawValue: 4)
    }

    let channels: StreamChannels
    let trackCount: Int

    /// Bytes of each section for `trackCount` tracks.
    static func sectionBytes(_ channel: StreamChannels, trackCount: Int) -> Int {
        switch channel {
        case .meters: return aligned(2 * (4 * trackCount + 6))
        case .loudness: return aligned(2 * 6)
        case .spectra: return aligned(FrameLayout.bandCount * (trackCount + 2))
        case .scope: return aligned(2 * 4 + 3 * (FrameLayout.ScopeField.bytes - FrameLayout.ScopeField.waveform))
        default: return 0
        }
    }

    private static func aligned(_ bytes: Int) -> Int { (bytes + 7) / 8 * 8 }

    /// Where each asked-for section starts, from the message's start.
    var sections: [(name: String, channel: StreamChannels, offset: Int, bytes: Int)] {
        var offset = Self.prefixBytes + Self.bodyHeaderBytes
        return StreamChannels.named.compactMap { name, channel in
            guard channels.contains(channel) else { return nil }
            let bytes = Self.sectionBytes(channel, trackCount: trackCount)
            defer { offset += bytes }
            return (name, channel, offset, bytes)
        }
    }

    /// Bytes of a whole message.
    var messageBytes: Int { Self.prefixBytes + bodyBytes }
    /// Bytes of the shared part.
    var bodyBytes: Int { Self.bodyHeaderBytes + sections.reduce(0) { $0 + $1.bytes } }
}
