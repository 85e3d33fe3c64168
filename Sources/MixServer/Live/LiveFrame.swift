import Foundation
import MixEngine
import NIOCore
import Synchronization

/// A render's meter frame on the live path: the record's bytes (copied once from the render),
/// where it is in the song, and its encodings, each made by the first socket that needs it and
/// shared by every other.
final class LiveFrame: Sendable {
    /// An encoding of the frame's shared part.
    enum Encoding: Hashable, Sendable {
        case binary(StreamChannels)
        case json(StreamChannels)
        /// The original's three blocks as the status socket sends them.
        case status
    }

    let index: Int
    let isComplete: Bool
    let isLast: Bool
    /// The render's frames counted as published, from 1 (a socket that skips frames shows gaps).
    let sequence: UInt32
    let header: FrameFileHeader
    let layout: FrameLayout
    private let record: [UInt8]
    private let encodings = Mutex<[Encoding: ByteBuffer]>([:])

    init(record: UnsafeRawBufferPointer, index: Int, isComplete: Bool, sequence: UInt32, header: FrameFileHeader) {
        self.record = Array(record)
        self.index = index
        self.isComplete = isComplete
        // The song's last frame, once both passes made it (the tracks' pass ends there too).
        isLast = isComplete && index == header.frameCount - 1
        self.sequence = sequence
        self.header = header
        layout = FrameLayout(trackCount: header.tracks.count)
    }

    /// The frame's media time: where its audio starts in the song.
    var mediaTimeS: Double { Double(index) / Double(header.framesPerSecond) }

    var flags: RealtimeLayout.Flags {
        var flags: RealtimeLayout.Flags = []
        if isComplete { flags.insert(.complete) }
        if isLast { flags.insert(.last) }
        return flags
    }

    /// The frame decoded.
    var meterFrame: MeterFrame {
        record.withUnsafeBytes { MeterFrame(record: $0.baseAddress!, index: index, header: header, isComplete: isComplete) }
    }

    /// The shared part of a message in `encoding`, made once.
    func encoded(_ encoding: Encoding) -> ByteBuffer {
        if let made = encodings.withLock({ $0[encoding] }) { return made }
        let made: ByteBuffer
        switch encoding {
        case .binary(let channels):
            made = record.withUnsafeBytes {
                RealtimeEncoder.binaryBody(record: $0.baseAddress!, layout: layout, channels: channels, flags: flags)
            }
        case .json(let channels):
            made = RealtimeEncoder.jsonBody(meterFrame, channels: channels, flags: flags)
        case .status:
            made = StatusMessage.frameFields(meterFrame)
        }
        // Two sockets may make it at once; the first one stored is the one every later socket gets.
        return encodings.withLock { stored in
            if let first = stored[encoding] { return first }
            stored[encoding] = made
            return made
        }
    }
}
