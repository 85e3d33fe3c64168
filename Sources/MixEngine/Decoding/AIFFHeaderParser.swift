import Foundation

/// Walks the chunks of an AIFF or AIFF-C file (big-endian) and checks its COMM and SSND
/// chunks against the file's real size.
enum AIFFHeaderParser {
    /// AIFF-C compression types that are plain samples libsndfile reads.
    private static let plainCompressions: [String: SampleEncoding?] = [
        "NONE": nil, "twos": nil, "sowt": nil, "in24": nil, "in32": nil,
        "fl32": .float(bits: 32), "FL32": .float(bits: 32), "fl64": .float(bits: 64), "FL64": .float(bits: 64),
    ]

    static func parse(_ file: HeaderFile) throws -> DeclaredStream {
        let fileSize = file.fileSize
        let isAIFC = ByteReader(try file.read(at: 8, count: 4)).fourCC(at: 0) == "AIFC"
        var common: (channels: Int, frames: UInt32, bits: Int, rate: Double, encoding: SampleEncoding?)?
        var sound: (bytes: UInt64, declaredBytes: UInt64?)?
        var position: UInt64 = 12
        var chunkCount = 0
        while position + 8 <= fileSize, common == nil || sound == nil {
            chunkCount += 1
            guard chunkCount <= HeaderRules.maxChunkCount else {
                throw InputRejection("damaged header: more than \(HeaderRules.maxChunkCount) chunks before the audio")
            }
            let header = ByteReader(try file.read(at: position, count: 8), bigEndian: true)
            guard let id = header.fourCC(at: 0), let size32 = header.uint32(at: 4) else { break }
            let size = UInt64(size32)
            switch id {
            case "COMM":
                guard position + 8 + size <= fileSize else {
                    throw InputRejection("truncated: the file ends inside its header")
                }
                let body = ByteReader(try file.read(at: position + 8, count: Int(min(size, 64))), bigEndian: true)
                guard let channels = body.uint16(at: 0), let frames = body.uint32(at: 2),
                    let bits = body.uint16(at: 6), let rate = extendedFloat(body, at: 8)
                else { throw InputRejection("damaged header: its COMM chunk is too short") }
                var encoding: SampleEncoding?
                if isAIFC {
                    let compression = body.fourCC(at: 18) ?? "?"
                    guard let plain = plainCompressions[compression] else {
                        throw InputRejection("unsupported audio format: AIFF-C compression '\(compression)'; export as plain AIFF or WAV")
                    }
                    encoding = plain
                }
                common = (Int(channels), frames, Int(Int16(bitPattern: bits)), rate, encoding)
            case "SSND":
                // SSND starts with an offset and a block size; the samples begin `offset` bytes later.
                let offset = UInt64(ByteReader(try file.read(at: position + 8, count: 4), bigEndian: true).uint32(at: 0) ?? 0)
                let start = position + 16 + offset
                let available = start < fileSize ? fileSize - start : 0
                if size == 0 {
                    // Written to a pipe: the sizes were never filled in. Read to the end.
                    sound = (available, nil)
                } else {
                    let declared = size >= 8 + offset ? size - 8 - offset : 0
                    sound = (min(declared, available), declared)
                }
            default:
                if position + 8 + size > fileSize, sound == nil {
                    throw InputRejection(
                        "damaged header: its '\(id)' chunk declares a size of \(ByteCountText.describe(size)), past the end of the file")
                }
            }
            position += 8 + size + (size & 1)
        }
        guard let common else { throw InputRejection("no COMM chunk: the AIFF header that describes the audio is missing") }
        try HeaderRules.checkChannelCount(common.channels)
        guard common.rate.isFinite, common.rate >= 1, common.rate < 1e7 else {
            throw InputRejection("unusable sample rate: the AIFF header's rate cannot be read")
        }
        let rate = Int(common.rate.rounded())
        try HeaderRules.checkSampleRate(rate)
        let encoding = common.encoding ?? .pcm(bits: common.bits)
        let bits: Int
        switch encoding {
        case .pcm(let pcmBits):
            guard [8, 16, 24, 32].contains(pcmBits) else {
                throw InputRejection("unsupported bit depth: \(pcmBits) bits per sample (PCM takes 8, 16, 24 or 32)")
            }
            bits = pcmBits
        case .float(let floatBits): bits = floatBits
        case .codec: bits = 16
        }
        guard let sound else { throw InputRejection("no SSND chunk: the file holds no audio data") }
        let frameBytes = UInt64(common.channels * bits / 8)
        // The COMM frame count is the claim; the SSND bytes present are the truth.
        let presentFrames = Int64(sound.bytes / frameBytes)
        var notes: [String] = []
        var declaredFrames: Int64? = Int64(common.frames)
        if sound.declaredBytes == nil {
            declaredFrames = nil
            notes.append("its sizes were never filled in (an AIFF streamed to a pipe); read to the end of the file")
        } else if let declaredBytes = sound.declaredBytes, declaredBytes / frameBytes != UInt64(common.frames) {
            notes.append("its COMM frame count and SSND size disagree; the frames present were used")
        }
        return DeclaredStream(
            format: AudioFormat(container: .aiff, encoding: encoding), channelCount: common.channels,
            sampleRate: rate, declaredFrameCount: declaredFrames, presentFrameCount: presentFrames, notes: notes)
    }

    /// The 80-bit IEEE 754 extended float AIFF stores its sample rate in.
    private static func extendedFloat(_ reader: ByteReader, at offset: Int) -> Double? {
        guard let signExponent = reader.uint16(at: offset), let mantissa = reader.uint64(at: offset + 2) else {
            return nil
        }
        let exponent = Int(signExponent & 0x7FFF)
        if exponent == 0, mantissa == 0 { return 0 }
        if exponent == 0x7FFF { return .infinity }
        let value = Double(mantissa) * pow(2, Double(exponent - 16383 - 63))
        return signExponent & 0x8000 != 0 ? -value : value
    }
}
