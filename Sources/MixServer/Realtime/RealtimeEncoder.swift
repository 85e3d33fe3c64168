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
    /// sections `channels` asks for: the record's own quantized fields, copied.
    static func binaryBody(
        record: UnsafeRawPointer, layout: FrameLayout, channels: StreamChannels, flags: RealtimeLayout.Flags
    ) -> ByteBuffer {
        let stream = RealtimeLayout(channels: channels, trackCount: layout.trackCount)
        var buffer = ByteBuffer()
        buffer.reserveCapacity(stream.bodyBytes)
        buffer.writeInteger(channels.rawValue, endianness: .little)
        buffer.writeInteger(flags.rawValue, endianness: .little)
        buffer.writeInteger(UInt16(clamping: layout.trackCount), endianness: .little)
        buffer.writeInteger(UInt16(0), endianness: .little)
        func copy(_ offset: Int, _ count: Int) {
            buffer.writeBytes(UnsafeRawBufferPointer(start: record + offset, count: count))
        }
        func pad(to sectionStart: Int, bytes: Int) {
            let end = sectionStart + bytes
            buffer.writeRepeatingByte(0, count: end - (RealtimeLayout.prefixBytes + buffer.writerIndex))
        }
        for section in stream.sections {
            switch section.channel {
            case .meters:
                typealias Track = FrameLayout.Track
                for track in 0..<layout.trackCount {
                    let base = layout.trackOffset(track)
                    for field in [Track.rms, Track.peak, Track.compressorGR, Track.deEsserGR] { copy(base + field, 2) }
                }
                typealias Master = FrameLayout.Master
                for field in [Master.busCompressorGR, Master.limiterGR, Master.rms, Master.samplePeak, Master.truePeak] {
                    copy(layout.masterOffset + field, 2)
                }
            case .loudness:
                typealias Master = FrameLayout.Master
                for field in [Master.momentary, Master.shortTerm, Master.integrated, Master.loudnessRange, Master.truePeakMax] {
                    copy(layout.masterOffset + field, 2)
                }
            case .spectra:
                for track in 0..<layout.trackCount {
                    copy(layout.trackOffset(track) + FrameLayout.Track.spectrum, FrameLayout.bandCount)
                }
                copy(layout.preMasterSpectrumOffset, FrameLayout.bandCount)
                copy(layout.postMasterSpectrumOffset, FrameLayout.bandCount)
            case .scope:
                typealias Field = FrameLayout.ScopeField
                for scope in 0..<3 { copy(layout.scopeOffset(scope) + Field.correlation, 2) }
                buffer.writeInteger(Int16(0), endianness: .little)
                for scope in 0..<3 { copy(layout.scopeOffset(scope) + Field.waveform, Field.bytes - Field.waveform) }
            default:
                break
            }
            pad(to: section.offset, bytes: section.bytes)
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
