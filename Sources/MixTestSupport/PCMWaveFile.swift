import Foundation

/// Reads a whole PCM WAV file (16, 24 or 32-bit integer, 32-bit float; plain or
/// WAVE_FORMAT_EXTENSIBLE) into interleaved samples, so the DSP and analysis layers' tests read
/// reference signals (the EBU test files) without the engine's decoders or libsndfile.
public struct PCMWaveFile {
    public let sampleRate: Int
    public let channelCount: Int
    /// Interleaved samples, full scale ±1.
    public let samples: [Float]

    public var frameCount: Int { channelCount == 0 ? 0 : samples.count / channelCount }

    public struct FormatError: Error, CustomStringConvertible {
        public let description: String
    }

    public init(url: URL) throws {
        let bytes = [UInt8](try Data(contentsOf: url))
        func fail(_ reason: String) -> FormatError { FormatError(description: "\(url.lastPathComponent): \(reason)") }
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        guard bytes.count >= 12, bytes[0..<4] == [0x52, 0x49, 0x46, 0x46], bytes[8..<12] == [0x57, 0x41, 0x56, 0x45] else {
            throw fail("not a RIFF WAVE file")
        }
        var format: (code: Int, channels: Int, rate: Int, bits: Int)?
        var offset = 12
        while offset + 8 <= bytes.count {
            let id = String(decoding: bytes[offset..<offset + 4], as: UTF8.self)
            let size = u32(offset + 4)
            let body = offset + 8
            guard body + size <= bytes.count || id == "data" else { throw fail("chunk \(id) runs past the end") }
            if id == "fmt " {
                guard size >= 16 else { throw fail("fmt chunk of \(size) bytes") }
                var code = u16(body)
                // WAVE_FORMAT_EXTENSIBLE: the format is the first two bytes of the sub-format GUID.
                if code == 0xFFFE, size >= 40 { code = u16(body + 24) }
                format = (code, u16(body + 2), u32(body + 4), u16(body + 14))
            } else if id == "data" {
                guard let format else { throw fail("data before fmt") }
                let end = min(bytes.count, body + size)
                self.sampleRate = format.rate
                self.channelCount = format.channels
                self.samples = try Self.decode(bytes[body..<end], code: format.code, bits: format.bits, fail: fail)
                return
            }
            offset = body + size + (size & 1)
        }
        throw fail("no data chunk")
    }

    private static func decode(
        _ data: ArraySlice<UInt8>, code: Int, bits: Int, fail: (String) -> FormatError
    ) throws -> [Float] {
        guard [16, 24, 32].contains(bits) else {
            throw fail("\(bits)-bit samples are not PCM this reader takes (16/24/32-bit integer, 32-bit float)")
        }
        let width = bits / 8
        let count = data.count / width
        let base = data.startIndex
        var samples = [Float](repeating: 0, count: count)
        switch (code, bits) {
        case (1, 16):
            for i in 0..<count {
                let raw = Int16(bitPattern: UInt16(data[base + 2 * i]) | UInt16(data[base + 2 * i + 1]) << 8)
                samples[i] = Float(raw) / 32_768
            }
        case (1, 24):
            for i in 0..<count {
                let at = base + 3 * i
                // The three bytes into the top of an Int32, then back down: the sign comes along.
                let raw = Int32(bitPattern: UInt32(data[at]) << 8 | UInt32(data[at + 1]) << 16 | UInt32(data[at + 2]) << 24) >> 8
                samples[i] = Float(raw) / 8_388_608
            }
        case (1, 32):
            for i in 0..<count {
                let at = base + 4 * i
                let raw = Int32(bitPattern: UInt32(data[at]) | UInt32(data[at + 1]) << 8 | UInt32(data[at + 2]) << 16 | UInt32(data[at + 3]) << 24)
                samples[i] = Float(Double(raw) / 2_147_483_648)
            }
        case (3, 32):
            for i in 0..<count {
                let at = base + 4 * i
                samples[i] = Float(bitPattern: UInt32(data[at]) | UInt32(data[at + 1]) << 8 | UInt32(data[at + 2]) << 16 | UInt32(data[at + 3]) << 24)
            }
        default:
            throw fail("format \(code) at \(bits) bits is not PCM this reader takes (16/24/32-bit integer, 32-bit float)")
        }
        return samples
    }
}
