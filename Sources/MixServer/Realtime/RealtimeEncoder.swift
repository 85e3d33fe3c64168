import Foundation
import MixEngine
import NIOCore

/// Encodes meter frames for the realtime stream. A message is a per-socket prefix (sequence,
/// send time) and a body that depends only on the frame, the channels and the encoding: the
/// body is made once per frame and shared by every socket asking for the same (the socket sends
/// the two as one fragmented WebSocket message, so neither is copied).
enum RealtimeEncoder {
    /// The binary prefix (`RealtimeLayout`): magic, version, sequence, frame, times.
    static func binaryPrefix(sequence: UInt32, frameIndex: Int, mediaTimeS: Double, sentAtMs: Double) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(RealtimeLayout.prefixBytes)
        buffer.writeBytes(RealtimeLayout.magic)
        buffer.writeInteger(RealtimeLayout.version, endianness: .little)
        buffer.writeInteger(UInt16(RealtimeLayout.prefixBytes), endianness: .little)
        buffer.writeInteger(sequence, endianness: .little)
        buffer.writeInteger(UInt32(clamping: frameIndex), endianness: .little)
        buffer.writeInteger(mediaTimeS.bitPattern, endianness: .little)
        buffer.writeInteger(sentAtMs.bitPattern, endianness: .little)
        return buffer
    }

    /// The binary body of a record (laid out as `layout`, the current frame version), with the
    /// sections `channels` asks for: the record's own quantized fields, copied into one buffer.
    static func binaryBody(
        record: UnsafeRawPointer, layout: FrameLayout, channels: StreamChannels, flags: RealtimeLayout.Flags
    ) -> ByteBuffer {
        let stream = RealtimeLayout(channels: channels, trackCount: layout.trackCount)
        var buffer = ByteBufferAllocator().buffer(capacity: stream.bodyBytes)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: stream.bodyBytes) { body in
            let out = body.baseAddress!
            out.initializeMemory(as: UInt8.self, repeating: 0, count: stream.bodyBytes)
            func u16(_ value: UInt16, at offset: Int) { out.storeBytes(of: value.littleEndian, toByteOffset: offset, as: UInt16.self) }
            u16(channels.rawValue, at: 0)
            u16(flags.rawValue, at: 2)
            u16(UInt16(clamping: layout.trackCount), at: 4)
            // Offsets in the body: the message's less its per-socket prefix.
            for section in stream.sections {
                var at = section.offset - RealtimeLayout.prefixBytes
                func copy(_ offset: Int, _ count: Int) {
                    (out + at).copyMemory(from: record + offset, byteCount: count)
                    at += count
                }
                switch section.channel {
                case .meters:
                    typealias Track = FrameLayout.Track
                    for track in 0..<layout.trackCount {
                        // rms, peak, compressor GR, de-esser GR: four neighbouring 16-bit fields.
                        copy(layout.trackOffset(track) + Track.rms, Track.spectrum - Track.rms)
                    }
                    // Bus GR, limiter GR, rms, sample peak, true peak: the master's first five fields;
                    // then the lead room's cut (records are always of the current version here).
                    copy(layout.masterOffset + FrameLayout.Master.busCompressorGR, FrameLayout.Master.momentary)
                    copy(layout.masterOffset + FrameLayout.Master.leadRoomGR, 2)
                case .loudness:
                    typealias Master = FrameLayout.Master
                    // Momentary, short-term, integrated, range, true peak so far: its next five.
                    copy(layout.masterOffset + Master.momentary, Master.truePeakMax + 2 - Master.momentary)
                case .spectra:
                    for track in 0..<layout.trackCount {
                        copy(layout.trackOffset(track) + FrameLayout.Track.spectrum, FrameLayout.bandCount)
                    }
                    copy(layout.preMasterSpectrumOffset, 2 * FrameLayout.bandCount)
                case .scope:
                    typealias Field = FrameLayout.ScopeField
                    for scope in 0..<3 { copy(layout.scopeOffset(scope) + Field.correlation, 2) }
                    at += 2
                    for scope in 0..<3 { copy(layout.scopeOffset(scope) + Field.waveform, Field.bytes - Field.waveform) }
                default:
                    break
                }
            }
            return stream.bodyBytes
        }
        return buffer
    }

    /// The JSON prefix: `{"type":"frame","seq":…,"sent_at_ms":…,` (the body closes the object).
    static func jsonPrefix(sequence: UInt32, sentAtMs: Double) -> ByteBuffer {
        ByteBuffer(string: #"{"type":"frame","seq":\#(sequence),"sent_at_ms":\#(String(format: "%.3f", sentAtMs)),"#)
    }

    /// The JSON body: the flags, then the frame in the original's shapes (`realtime_meters`,
    /// `realtime_spectra`, `realtime_scope`) and `realtime_loudness`, only the asked-for ones, as
    /// `mixdown frames` prints them; ends the object the prefix opened.
    static func jsonBody(_ frame: MeterFrame, channels: StreamChannels, flags: RealtimeLayout.Flags) -> ByteBuffer {
        let blocks = frame.realtimeBlocks.only(
            meters: channels.contains(.meters), spectra: channels.contains(.spectra), scope: channels.contains(.scope),
            loudness: channels.contains(.loudness))
        let json = (try? encoder.encode(blocks)) ?? Data("{}".utf8)
        var buffer = ByteBuffer(
            string: #""complete":\#(flags.contains(.complete)),"replay":\#(flags.contains(.replay)),"last":\#(flags.contains(.last)),"#)
        buffer.writeBytes(json.dropFirst())
        return buffer
    }

    private static let encoder = JSONEncoder()
}
