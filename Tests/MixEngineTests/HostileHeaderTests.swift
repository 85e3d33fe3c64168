import Foundation
import MixEngine
import MixTesting
import Testing

private func le32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }
private func le16(_ v: UInt16) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }
private func le64(_ v: UInt64) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }
private func be32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.bigEndian, Array.init) }
private func be16(_ v: UInt16) -> [UInt8] { withUnsafeBytes(of: v.bigEndian, Array.init) }
private func ascii(_ s: String) -> [UInt8] { Array(s.utf8) }

/// Headers built byte by byte to attack the chunk walkers: each must end in a clear verdict,
/// never a crash, a hang or a huge allocation.
@Suite("Hostile and unusual headers")
struct HostileHeaderTests {
    private let folder: TemporaryDirectory

    init() throws {
        folder = try TemporaryDirectory()
    }


    static func fmt(channels: UInt16, rate: UInt32, bits: UInt16) -> [UInt8] {
        let align = channels * bits / 8
        return ascii("fmt ") + le32(16) + le16(1) + le16(channels) + le32(rate) + le32(rate * UInt32(align)) + le16(align) + le16(bits)
    }

    private func scan(_ bytes: [UInt8], name: String) throws -> StemReport {
        let url = folder.file(name)
        try Data(bytes).write(to: url)
        return StemScanner.scan(url: url, displayName: name)
    }

    @Test("RF64 with a ds64 data size of 2^64 − 1 (8-bit mono): truncated, no overflow")
    func rf64HugeSize() throws {
        let payload = [UInt8](repeating: 128, count: 4800)
        let ds64 = ascii("ds64") + le32(28) + le64(0) + le64(.max) + le64(0) + le32(0)
        let body = ascii("WAVE") + ds64 + Self.fmt(channels: 1, rate: 48_000, bits: 8) + ascii("data") + le32(.max) + payload
        let report = try scan(ascii("RF64") + le32(.max) + body, name: "huge.wav")
        #expect(report.rejection?.reason.hasPrefix("truncated: its header declares") == true, "\(report.problems)")
    }

    @Test("RF64 with its data before fmt and a huge ds64 size: a verdict, no overflow")
    func rf64DataFirst() throws {
        let ds64 = ascii("ds64") + le32(28) + le64(0) + le64(.max - 7) + le64(0) + le32(0)
        let body = ascii("WAVE") + ds64 + ascii("data") + le32(.max) + [UInt8](repeating: 0, count: 64)
            + Self.fmt(channels: 2, rate: 48_000, bits: 16)
        let report = try scan(ascii("RF64") + le32(.max) + body, name: "first.wav")
        #expect(!report.isUsable)
    }

    @Test("RF64 whose ds64 chunk is too short, or missing")
    func rf64BadDs64() throws {
        let short = ascii("RF64") + le32(.max) + ascii("WAVE") + ascii("ds64") + le32(4) + le32(0)
            + Self.fmt(channels: 2, rate: 48_000, bits: 16) + ascii("data") + le32(.max) + [UInt8](repeating: 0, count: 400)
        #expect(try scan(short, name: "short.wav").rejection?.reason.contains("ds64") == true)
        let missing = ascii("RF64") + le32(.max) + ascii("WAVE") + Self.fmt(channels: 2, rate: 48_000, bits: 16)
            + ascii("data") + le32(.max) + [UInt8](repeating: 0, count: 400)
        #expect(try scan(missing, name: "missing.wav").rejection?.reason.contains("without its ds64") == true)
    }

    @Test("a million empty chunks are refused at a thousand, quickly")
    func chunkFlood() throws {
        var bytes = ascii("RIFF") + le32(0) + ascii("WAVE")
        bytes.reserveCapacity(8_000_020)
        for _ in 0..<1_000_000 { bytes += ascii("JUNK") + le32(0) }
        let started = Date()
        let report = try scan(bytes, name: "flood.wav")
        #expect(report.rejection?.reason.contains("more than 1000 chunks") == true)
        #expect(Date().timeIntervalSince(started) < 5)
    }

    @Test("an 8-byte RIFF is a truncated header, not a RIFF of type ''")
    func eightByteRIFF() throws {
        #expect(try scan(ascii("RIFF") + le32(100), name: "tiny.wav").rejection?.reason == "truncated: the file ends inside its header")
    }

    @Test("a WAV missing its last 5 frames says so in frames, not in equal rounded seconds")
    func truncationInFrames() throws {
        let frames = 48_000
        let data = [UInt8](repeating: 0, count: frames * 4 - 20)
        let bytes = ascii("RIFF") + le32(UInt32(36 + frames * 4)) + ascii("WAVE") + Self.fmt(channels: 2, rate: 48_000, bits: 16)
            + ascii("data") + le32(UInt32(frames * 4)) + data
        let reason = try scan(bytes, name: "Dbl L.wav").rejection?.reason ?? ""
        #expect(reason.contains("(48,000 frames)") && reason.contains("(47,995 frames)"), "\(reason)")
    }

    /// An AIFF with 4800 frames of 16-bit mono, COMM declaring `commFrames`, SSND sized `ssndSize`.
    static func aiff(commFrames: UInt32, ssndSize: UInt32?, offset: UInt32 = 0) -> [UInt8] {
        let samples = [UInt8](repeating: 1, count: 9600)
        // 48 kHz as an 80-bit extended float: exponent 16383 + 15, mantissa 48000 << 48.
        let rate: [UInt8] = be16(16383 + 15) + withUnsafeBytes(of: (UInt64(48_000) << 48).bigEndian, Array.init)
        let comm = ascii("COMM") + be32(18) + be16(1) + be32(commFrames) + be16(16) + rate
        let size = ssndSize ?? (8 + offset + UInt32(samples.count))
        let ssnd = ascii("SSND") + be32(size) + be32(offset) + be32(0) + [UInt8](repeating: 0, count: Int(offset)) + samples
        let body = ascii("AIFF") + comm + ssnd
        return ascii("FORM") + be32(UInt32(body.count)) + body
    }

    @Test("AIFF: an SSND offset is honoured; a piped AIFF with zero sizes is read to the end")
    func aiffVariants() throws {
        let offset = try scan(Self.aiff(commFrames: 4800, ssndSize: nil, offset: 1000), name: "offset.aiff")
        #expect(offset.isUsable && !offset.notes.contains { $0.contains("disagree") }, "\(offset.problems)")
        #expect(offset.frameCount == 4800)
        let piped = try scan(Self.aiff(commFrames: 0, ssndSize: 0), name: "piped.aiff")
        #expect(piped.isUsable, "\(piped.problems)")
        #expect(piped.frameCount == 4800)
        #expect(piped.notes.contains { $0.contains("pipe") })
    }

    @Test("a FLAC whose first block is not STREAMINFO is a damaged header")
    func flacWithoutStreamInfo() throws {
        let bytes = ascii("fLaC") + [0x04, 0, 0, 34] + [UInt8](repeating: 0, count: 60)
        #expect(try scan(bytes, name: "odd.flac").rejection?.reason.contains("STREAMINFO") == true)
    }

    @Test("a FLAC missing only its last bytes is truncated, not corrupt")
    func flacTail() throws {
        let url = folder.file("Beat.flac")
        let noise = SignalGenerator.noise(frameCount: 96_000, amplitude: 0.3)
        try AudioFixture.write([noise, noise], to: url, type: .flac(bits: 16), sampleRate: 48_000)
        let data = try Data(contentsOf: url)
        try data.prefix(data.count - 10).write(to: url)
        let report = StemScanner.scan(url: url, displayName: "Beat.flac")
        #expect(report.rejection?.reason.hasPrefix("truncated") == true, "\(report.problems)")
    }

    @Test("Ogg 5.1 is folded in Vorbis order: a centre-only signal lands equally left and right")
    func oggSurroundOrder() throws {
        let url = folder.file("Beat 5.1.ogg")
        let tone = SignalGenerator.sine(frequencyHz: 440, sampleRate: 48_000, frameCount: 48_000, amplitude: 0.5)
        let silence = [Float](repeating: 0, count: 48_000)
        // Vorbis order: L C R Ls Rs LFE; only C carries signal.
        try AudioFixture.write([silence, tone, silence, silence, silence, silence], to: url, type: .oggVorbis, sampleRate: 48_000)
        let report = StemScanner.scan(url: url, displayName: "Beat 5.1.ogg")
        #expect(report.isUsable)
        #expect(report.notes.contains { $0.contains("L C R Ls Rs LFE") })
        let reader = try ConformedStemReader(url: url, sourceFrameCount: report.frameCount!, sessionRate: 48_000, sessionFrameCount: 48_000)
        let (left, right) = AudioFixture.readConformed(reader)
        let energy = { (x: [Float]) in x[10_000..<40_000].reduce(0) { $0 + $1 * $1 } }
        #expect(abs(10 * log10(energy(left) / energy(right))) < 0.5)
        #expect(energy(left) > 100)
    }

    @Test("7.1: a tone only in the side surrounds is measured (every channel counts but the LFE)")
    func sevenPointOneLoudness() throws {
        let url = folder.file("Beat 7.1.wav")
        let tone = SignalGenerator.sine(frequencyHz: 1000, sampleRate: 48_000, frameCount: 96_000, amplitude: 0.5)
        let silence = [Float](repeating: 0, count: 96_000)
        try AudioFixture.write([silence, silence, silence, silence, silence, silence, tone, tone], to: url, type: .wav(bits: 24), sampleRate: 48_000)
        let report = StemScanner.scan(url: url, displayName: "Beat 7.1.wav")
        #expect(report.loudnessLUFS != nil)
    }
}
