import Foundation

/// Walks the chunks of a RIFF, RIFX (big-endian) or RF64 WAVE file and checks what its
/// header claims against the file's real size, since libsndfile accepts truncated data,
/// lying sizes and impossible formats without complaint.
enum WaveHeaderParser {
    /// The standard tail of the WAVE_FORMAT_EXTENSIBLE SubFormat GUID; the first two bytes
    /// carry the plain format tag.
    private static let extensibleGUIDTail: [UInt8] = [
        0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71,
    ]
    private static let formatPCM: UInt16 = 1
    private static let formatFloat: UInt16 = 3
    private static let formatExtensible: UInt16 = 0xFFFE
    /// A 32-bit size of all ones: "unknown length", as streaming encoders write it.
    private static let unknownSize: UInt32 = 0xFFFF_FFFF

    private struct Format {
        var tag: UInt16
        var channelCount: Int
        var sampleRate: UInt32
        var blockAlign: Int
        var bitsPerSample: Int
        var isExtensible: Bool
    }

    private struct DataChunk {
        var offset: UInt64
        var declaredBytes: UInt64?
        var presentBytes: UInt64
    }

    static func parse(_ file: HeaderFile, kind: SniffedKind) throws -> DeclaredStream {
        let bigEndian = kind == .rifxWave
        let container: AudioContainer = kind == .rf64Wave ? .rf64 : (bigEndian ? .rifx : .wav)
        let fileSize = file.fileSize
        var notes: [String] = []
        let riffHeader = ByteReader(try file.read(at: 0, count: 12), bigEndian: bigEndian)
        guard let riffSize = riffHeader.uint32(at: 4), fileSize >= 12 else {
            throw InputRejection("truncated: the file ends inside its header")
        }
        var rf64DataSize: UInt64?
        var format: Format?
        var data: DataChunk?
        var position: UInt64 = 12
        var chunkCount = 0
        // MARK: Chunk walk, bounded by the real file size, never by a size field.
        while position + 8 <= fileSize {
            chunkCount += 1
            guard chunkCount <= HeaderRules.maxChunkCount else {
                throw InputRejection("damaged header: more than \(HeaderRules.maxChunkCount) chunks before the audio")
            }
            let header = ByteReader(try file.read(at: position, count: 8), bigEndian: bigEndian)
            guard let id = header.fourCC(at: 0), let size32 = header.uint32(at: 4) else { break }
            let bodyOffset = position + 8
            let bodyEnd = bodyOffset + UInt64(size32)
            switch id {
            case "data":
                var declared: UInt64? = UInt64(size32)
                if size32 == unknownSize {
                    if container == .rf64 {
                        guard let rf64DataSize else {
                            throw InputRejection("damaged header: an RF64 file without its ds64 chunk (which holds the real sizes)")
                        }
                        declared = rf64DataSize
                    } else {
                        declared = nil
                        notes.append("its data size is marked unknown (a streamed WAV); read to the end of the file")
                    }
                }
                data = DataChunk(
                    offset: bodyOffset, declaredBytes: declared,
                    presentBytes: min(declared ?? .max, fileSize - bodyOffset))
                guard format != nil else {
                    // Keep walking only to tell "fmt after data" from "no fmt at all".
                    guard let declared, declared <= fileSize - bodyOffset else { break }
                    position = bodyOffset + declared + (declared & 1)
                    continue
                }
            case "fmt ":
                guard bodyEnd <= fileSize else { throw InputRejection("truncated: the file ends inside its header") }
                guard data == nil else {
                    throw InputRejection(
                        "its fmt chunk (the format header) comes after the audio data, which the decoder cannot read; re-export the file as a standard WAV")
                }
                // The fields needed sit in the first 40 bytes, whatever size the chunk claims.
                format = try parseFormat(try file.read(at: bodyOffset, count: Int(min(size32, 40))), bigEndian: bigEndian)
            case "ds64":
                guard size32 >= 24, bodyEnd <= fileSize else {
                    throw InputRejection("damaged header: its ds64 chunk (the RF64 sizes) is \(size32) bytes, too short")
                }
                let body = ByteReader(try file.read(at: bodyOffset, count: 24))
                // A size past any file this could be is a lie: cap it so arithmetic stays exact.
                rf64DataSize = min(body.uint64(at: 8) ?? 0, UInt64(Int64.max / 2))
            default:
                if bodyEnd > fileSize {
                    if format != nil, data != nil {
                        notes.append("a '\(id.trimmingCharacters(in: .whitespaces))' chunk after the audio is cut short; it was ignored")
                        break
                    }
                    throw InputRejection(
                        "damaged header: its '\(id.trimmingCharacters(in: .whitespaces))' chunk declares a size of \(ByteCountText.describe(UInt64(size32))), past the end of the \(ByteCountText.describe(fileSize)) file")
                }
            }
            if data != nil, format != nil { break }
            position = bodyEnd + (UInt64(size32) & 1)
        }
        if container != .rf64, riffSize != unknownSize, UInt64(riffSize) + 8 != fileSize {
            notes.append("its RIFF size field (\(riffSize) bytes) does not match the file; the real size was used")
        }
        guard let format else {
            throw InputRejection(
                data == nil && fileSize <= 12
                    ? "no fmt chunk: the file has a WAVE header but no format description and no audio"
                    : "no fmt chunk: the header that describes the audio format is missing")
        }
        guard let data else { throw InputRejection("no data chunk: the file holds no audio data") }
        return try declaredStream(format: format, data: data, container: container, notes: notes)
    }

    private static func parseFormat(_ body: [UInt8], bigEndian: Bool) throws -> Format {
        let reader = ByteReader(body, bigEndian: bigEndian)
        guard let tag = reader.uint16(at: 0), let channels = reader.uint16(at: 2),
            let rate = reader.uint32(at: 4), let blockAlign = reader.uint16(at: 12),
            let bits = reader.uint16(at: 14)
        else { throw InputRejection("damaged header: the fmt chunk is too short (\(body.count) bytes)") }
        var format = Format(
            tag: tag, channelCount: Int(channels), sampleRate: rate, blockAlign: Int(blockAlign),
            bitsPerSample: Int(bits), isExtensible: false)
        if tag == formatExtensible {
            guard body.count >= 40, let subFormat = reader.uint16(at: 24) else {
                throw InputRejection("unsupported format: a WAVE_FORMAT_EXTENSIBLE header without its sub-format")
            }
            guard Array(body[26..<40]) == extensibleGUIDTail, subFormat == formatPCM || subFormat == formatFloat else {
                throw InputRejection(
                    "unsupported audio format: WAVE_FORMAT_EXTENSIBLE with sub-format \(hex(subFormat)); export as PCM or float WAV")
            }
            format.tag = subFormat
            format.isExtensible = true
        }
        return format
    }

    private static func declaredStream(
        format: Format, data: DataChunk, container: AudioContainer, notes: [String]
    ) throws -> DeclaredStream {
        guard format.tag == formatPCM || format.tag == formatFloat else {
            throw InputRejection(
                "unsupported audio format: WAVE format tag \(hex(format.tag)) (only PCM and float WAV are read); export as PCM WAV")
        }
        try HeaderRules.checkChannelCount(format.channelCount)
        try HeaderRules.checkSampleRate(Int(format.sampleRate))
        let isFloat = format.tag == formatFloat
        let validBits: Set<Int> = isFloat ? [32, 64] : [8, 16, 24, 32]
        guard validBits.contains(format.bitsPerSample) else {
            throw InputRejection(
                "unsupported bit depth: \(format.bitsPerSample) bits per sample (\(isFloat ? "float takes 32 or 64" : "PCM takes 8, 16, 24 or 32"))")
        }
        let neededAlign = format.channelCount * format.bitsPerSample / 8
        guard format.blockAlign == neededAlign else {
            throw InputRejection(
                "inconsistent header: block align is \(format.blockAlign) bytes, but \(format.channelCount) channels of \(format.bitsPerSample) bits need \(neededAlign)")
        }
        var notes = notes
        let align = UInt64(neededAlign)
        if data.presentBytes % align != 0, data.declaredBytes.map({ data.presentBytes == $0 }) ?? true {
            notes.append("its audio data ends in a partial sample frame; the last \(data.presentBytes % align) byte(s) were ignored")
        }
        let audioFormat = AudioFormat(
            container: container,
            encoding: isFloat ? .float(bits: format.bitsPerSample) : .pcm(bits: format.bitsPerSample),
            isExtensible: format.isExtensible)
        return DeclaredStream(
            format: audioFormat, channelCount: format.channelCount, sampleRate: Int(format.sampleRate),
            declaredFrameCount: data.declaredBytes.map { Int64($0 / align) },
            presentFrameCount: Int64(data.presentBytes / align), notes: notes)
    }

    private static func hex(_ value: UInt16) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return "0x" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
