import Foundation

/// Reads a FLAC stream's STREAMINFO block: its rate, channels, bit depth and, when the
/// encoder knew it, the total number of frames (so a cut stream can be told apart).
enum FLACStreamInfo {
    static func parse(_ file: HeaderFile) throws -> DeclaredStream {
        // "fLaC", a 4-byte metadata block header, then the 34-byte STREAMINFO body.
        let bytes = try file.read(at: 0, count: 42)
        guard bytes.count == 42 else { throw InputRejection("truncated: the FLAC stream ends inside its header") }
        guard bytes[4] & 0x7F == 0 else {
            throw InputRejection("damaged header: the FLAC stream does not start with its STREAMINFO block")
        }
        let info = ByteReader(Array(bytes[8..<42]), bigEndian: true)
        guard let packed = info.uint64(at: 10) else { throw InputRejection("truncated: the FLAC header is cut short") }
        // 20 bits rate, 3 bits channels−1, 5 bits bits−1, 36 bits total samples.
        let sampleRate = Int(packed >> 44)
        let channelCount = Int((packed >> 41) & 0x7) + 1
        let bits = Int((packed >> 36) & 0x1F) + 1
        let totalFrames = Int64(packed & 0xF_FFFF_FFFF)
        try HeaderRules.checkChannelCount(channelCount)
        try HeaderRules.checkSampleRate(sampleRate)
        return DeclaredStream(
            format: AudioFormat(container: .flac, encoding: .codec(name: "FLAC", bits: bits)),
            channelCount: channelCount, sampleRate: sampleRate,
            declaredFrameCount: totalFrames > 0 ? totalFrames : nil, presentFrameCount: nil)
    }
}

extension FLACStreamInfo {
    /// How far the file's frames reach, in sample frames: the end of the last frame whose header
    /// (with its CRC-8) is found in the file's last 64 KB. A stream whose frames reach the length
    /// STREAMINFO declares is complete but damaged inside; one whose frames stop short was cut.
    /// Returns that end and the stream's block size (STREAMINFO's maximum).
    static func lastFrameEnd(url: URL) throws -> (end: Int64, blockSize: Int64)? {
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        let fileSize = (attributes[.size] as? NSNumber)?.uint64Value ?? 0
        let file = try HeaderFile(url: url, fileSize: fileSize)
        defer { file.close() }
        let head = try file.read(at: 0, count: 42)
        guard head.count == 42 else { return nil }
        let nominalBlockSize = Int64(head[10]) << 8 | Int64(head[11])  // STREAMINFO maximum block size
        let tailLength = UInt64(65_536)
        let tailStart = fileSize > tailLength ? fileSize - tailLength : 42
        let tail = try file.read(at: tailStart, count: Int(fileSize - tailStart))
        var furthest: Int64?
        var index = 0
        while index + 6 < tail.count {
            defer { index += 1 }
            guard tail[index] == 0xFF, tail[index + 1] & 0xFE == 0xF8,
                let frame = FLACFrameHeader(tail, at: index)
            else { continue }
            let start = frame.isVariableBlockSize ? frame.number : frame.number * nominalBlockSize
            furthest = max(furthest ?? 0, start + frame.blockSize)
        }
        return furthest.map { ($0, nominalBlockSize) }
    }
}

/// The parts of a FLAC frame header needed to place the frame in the stream, accepted only when
/// its CRC-8 matches (sync patterns occur by chance in compressed data).
struct FLACFrameHeader {
    var isVariableBlockSize: Bool
    /// Frame number (fixed block size) or first sample number (variable block size).
    var number: Int64
    var blockSize: Int64

    init?(_ bytes: [UInt8], at start: Int) {
        var position = start + 4
        guard start + 4 < bytes.count, bytes[start + 3] & 0x01 == 0 else { return nil }
        isVariableBlockSize = bytes[start + 1] & 0x01 == 1
        let blockCode = bytes[start + 2] >> 4
        let rateCode = bytes[start + 2] & 0x0F
        guard blockCode != 0, rateCode != 0x0F else { return nil }
        // UTF-8-style coded number (up to 7 bytes).
        let lead = bytes[position]
        var extraBytes = 0
        var value: Int64
        switch lead {
        case 0x00...0x7F: value = Int64(lead)
        case 0xC0...0xDF: value = Int64(lead & 0x1F); extraBytes = 1
        case 0xE0...0xEF: value = Int64(lead & 0x0F); extraBytes = 2
        case 0xF0...0xF7: value = Int64(lead & 0x07); extraBytes = 3
        case 0xF8...0xFB: value = Int64(lead & 0x03); extraBytes = 4
        case 0xFC...0xFD: value = Int64(lead & 0x01); extraBytes = 5
        case 0xFE: value = 0; extraBytes = 6
        default: return nil
        }
        position += 1
        for _ in 0..<extraBytes {
            guard position < bytes.count, bytes[position] & 0xC0 == 0x80 else { return nil }
            value = value << 6 | Int64(bytes[position] & 0x3F)
            position += 1
        }
        number = value
        switch blockCode {
        case 1: blockSize = 192
        case 2...5: blockSize = 576 << Int64(blockCode - 2)
        case 6:
            guard position < bytes.count else { return nil }
            blockSize = Int64(bytes[position]) + 1
            position += 1
        case 7:
            guard position + 1 < bytes.count else { return nil }
            blockSize = (Int64(bytes[position]) << 8 | Int64(bytes[position + 1])) + 1
            position += 2
        default: blockSize = 256 << Int64(blockCode - 8)
        }
        switch rateCode {
        case 12: position += 1
        case 13, 14: position += 2
        default: break
        }
        guard position < bytes.count, Self.crc8(bytes[start..<position]) == bytes[position] else { return nil }
    }

    /// CRC-8 with polynomial x⁸ + x² + x + 1 (0x07), as the FLAC format specifies for frame headers.
    static func crc8(_ bytes: ArraySlice<UInt8>) -> UInt8 {
        var crc: UInt8 = 0
        for byte in bytes {
            crc ^= byte
            for _ in 0..<8 {
                crc = crc & 0x80 != 0 ? (crc << 1) ^ 0x07 : crc << 1
            }
        }
        return crc
    }
}
