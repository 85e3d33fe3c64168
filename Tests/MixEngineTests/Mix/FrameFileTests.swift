import Foundation
import MixAnalysis
@testable import MixEngine
import MixTesting
import Testing

@Suite("meter frame file")
struct FrameFileTests {
    static let header = FrameFileHeader(
        framesPerSecond: 10, sampleRate: 48_000, frameCount: 25,
        tracks: [.init(name: "Lead Vox.wav", role: .lead), .init(name: "Beat.wav", role: .beat)], framesPerChunk: 10)

    /// A deterministic record for frame `index`, in the current layout: every field holds a value
    /// derived from the index. With a `version` before 3, the fields version 3 added read "none"
    /// (as a reader hands out a record of an older file).
    static func record(_ index: Int, version: Int = FrameFileHeader.currentVersion) -> [UInt8] {
        let layout = FrameLayout(trackCount: 2)
        var bytes = [UInt8](repeating: 0, count: layout.recordBytes)
        bytes.withUnsafeMutableBytes { raw in
            let writer = FrameRecordWriter(bytes: raw.baseAddress!)
            for track in 0..<2 {
                typealias Field = FrameLayout.Track
                let offset = layout.trackOffset(track)
                writer.int16(FrameQuantizer.centiDB(-20 - Double(index) / 10 - Double(track)), at: offset + Field.rms)
                writer.int16(track == 1 && index == 3 ? FrameQuantizer.none : FrameQuantizer.centiDB(-6.5), at: offset + Field.peak)
                writer.uint16(FrameQuantizer.centiDBUnsigned(Double(index % 7)), at: offset + Field.compressorGR)
                writer.uint16(FrameQuantizer.centiDBUnsigned(Double(track) * 1.25), at: offset + Field.deEsserGR)
                let bands = (0..<256).map { Float(-60 + 40 * sin(Double($0 + index) / 20)) }
                bands.withUnsafeBufferPointer { writer.spectrum($0.baseAddress!, at: offset + Field.spectrum) }
            }
            for (which, offset) in [layout.preMasterSpectrumOffset, layout.postMasterSpectrumOffset].enumerated() {
                let bands = (0..<256).map { Float(-50 - Double(which) * 3 + 30 * cos(Double($0) / 30)) }
                bands.withUnsafeBufferPointer { writer.spectrum($0.baseAddress!, at: offset) }
            }
            typealias Master = FrameLayout.Master
            let m = layout.masterOffset
            writer.uint16(FrameQuantizer.centiDBUnsigned(1.5), at: m + Master.busCompressorGR)
            writer.uint16(FrameQuantizer.centiDBUnsigned(0.75), at: m + Master.limiterGR)
            // The older golden files left the master's levels at zero bytes (0 dB).
            let isVersion3 = version >= 3
            writer.int16(isVersion3 ? FrameQuantizer.centiDB(-16.5) : 0, at: m + Master.rms)
            writer.int16(isVersion3 ? FrameQuantizer.centiDB(-3.25) : 0, at: m + Master.samplePeak)
            writer.int16(isVersion3 ? FrameQuantizer.centiDB(-2.75) : 0, at: m + Master.truePeak)
            writer.int16(FrameQuantizer.none, at: m + Master.momentary)
            writer.int16(FrameQuantizer.centiDB(-9.25), at: m + Master.shortTerm)
            writer.int16(isVersion3 ? FrameQuantizer.centiDB(-14 - Double(index) / 100) : FrameQuantizer.none, at: m + Master.integrated)
            writer.int16(isVersion3 ? FrameQuantizer.centiDB(3.5) : FrameQuantizer.none, at: m + Master.loudnessRange)
            writer.int16(isVersion3 ? FrameQuantizer.centiDB(-1.125) : FrameQuantizer.none, at: m + Master.truePeakMax)
            if version >= 4 { writer.uint16(FrameQuantizer.centiDBUnsigned(Double(index % 4) * 0.75), at: m + Master.leadRoomGR) }
            for scope in 0..<3 {
                let waveform = (0..<512).map { Float(sin(Double($0 * (scope + 1) + index) / 10)) * 0.8 }
                let goniometer = (0..<1024).map { Float(cos(Double($0 + index) / 7)) * 0.5 }
                writer.scope(
                    ScopeSnapshot(waveform: waveform, correlation: 0.5 - Float(scope) / 4, goniometer: goniometer),
                    at: layout.scopeOffset(scope))
            }
        }
        return bytes
    }

    static func frame(_ index: Int, version: Int = FrameFileHeader.currentVersion) -> MeterFrame {
        record(index, version: version).withUnsafeBytes {
            MeterFrame(record: $0.baseAddress!, index: index, header: header, isComplete: true)
        }
    }

    static func write(to url: URL) throws {
        let writer = try FrameFileWriter(url: url, header: header)
        for index in 0..<header.frameCount {
            try Self.record(index).withUnsafeBytes { try writer.append($0.baseAddress!) }
        }
        try writer.finish()
        try writer.commit()
    }

    @Test("records come back byte for byte, and decode to the values written")
    func roundTrip() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("song.frames")
        try Self.write(to: url)
        let reader = try FrameFileReader(url: url)
        #expect(reader.header == Self.header)
        #expect(reader.frameCount == 25)
        for index in [0, 3, 9, 10, 24] {
            let frame = try reader.frame(at: index)
            #expect(frame == Self.frame(index))
            #expect(frame.tracks[0].rmsDB == -20 - Double(index) / 10)
            #expect(frame.tracks[1].peakDB == (index == 3 ? nil : -6.5))
            #expect(frame.tracks[0].compressorGainReductionDB == Double(index % 7))
            #expect(frame.master.limiterGainReductionDB == 0.75 && frame.master.shortTermLUFS == -9.25)
            #expect(frame.master.momentaryLUFS == nil)
            #expect(frame.master.rmsDB == -16.5 && frame.master.samplePeakDB == -3.25 && frame.master.truePeakDB == -2.75)
            #expect(frame.master.integratedLUFS == -14 - Double(index) / 100)
            #expect(frame.master.loudnessRangeLU == 3.5 && frame.master.truePeakMaxDB == -1.13)
            // 1 dB spectrum steps, scope points to 1/127.
            let band = Float(-60 + 40 * sin(Double(17 + index) / 20))
            #expect(abs(frame.tracks[0].spectrumDB[17] - band) <= 0.5)
            #expect(abs(frame.finalScope.waveform[5] - Float(sin(Double(15 + index) / 10)) * 0.8) <= 0.5 / 127)
            #expect(abs(frame.preMasterScope.goniometer[9] - Float(cos(Double(9 + index) / 7)) * 0.5) <= 0.71 / 127)
            #expect(abs(frame.postMasterScope.correlation - 0.25) < 1e-4)
            #expect(frame.timeSeconds == Double(index) / 10)
        }
    }

    @Test("the byte layout (version 4) is pinned by a golden file")
    func golden() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("golden.frames")
        try Self.write(to: url)
        let golden = Corpus.repositoryRoot.appendingPathComponent("Tests/MixEngineTests/Golden/frames-v4.frames")
        let written = try Data(contentsOf: url)
        if ProcessInfo.processInfo.environment["MIXDOWN_RECORD_GOLDEN"] == "1" {
            try written.write(to: golden)
            Issue.record("recorded \(golden.lastPathComponent); run again without MIXDOWN_RECORD_GOLDEN")
            return
        }
        #expect(written == (try Data(contentsOf: golden)))
        // And the golden file still reads back as the records it was written from.
        let reader = try FrameFileReader(url: golden)
        #expect(reader.header.version == 4)
        #expect(try reader.frame(at: 24) == Self.frame(24))
        #expect(try reader.frame(at: 23).master.leadRoomGainReductionDB == 2.25)
    }

    @Test("version 1 (zlib), 2 and 3 (zstd) files still read, frame for frame, what they lack reading none", arguments: [1, 2, 3])
    func olderVersions(version: Int) throws {
        let golden = Corpus.repositoryRoot.appendingPathComponent("Tests/MixEngineTests/Golden/frames-v\(version).frames")
        let reader = try FrameFileReader(url: golden)
        var header = Self.header
        header.version = version
        header.recordBytes = FrameLayout(trackCount: 2, version: version).recordBytes
        #expect(reader.header == header)
        for index in [0, 9, 10, 24] {
            let frame = try reader.frame(at: index)
            #expect(frame == Self.frame(index, version: version))
            #expect(frame.master.leadRoomGainReductionDB == 0)
            if version < 3 {
                #expect(frame.master.integratedLUFS == nil && frame.master.loudnessRangeLU == nil && frame.master.truePeakMaxDB == nil)
            }
        }
    }

    @Test("a version this build does not know is refused with its name and number")
    func unknownVersion() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("later.frames")
        try Self.write(to: url)
        var data = try Data(contentsOf: url)
        let range = try #require(data.range(of: Data("\"version\":\(FrameFileHeader.currentVersion)".utf8)))
        data[range.upperBound - 1] = UInt8(ascii: "7")
        try data.write(to: url)
        #expect(throws: MixError.io("later.frames: a frame file of version 7, which this build cannot read (it reads versions 1 to 4)")) {
            try FrameFileReader(url: url)
        }
    }

    @Test("a damaged or foreign file is refused with its name")
    func damaged() throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("song.frames")
        try Self.write(to: url)
        var data = try Data(contentsOf: url)
        let foreign = folder.file("notes.frames")
        try Data("hello".utf8).write(to: foreign)
        #expect(throws: MixError.io("notes.frames: not a frame file, or damaged")) { try FrameFileReader(url: foreign) }
        // Corrupt the second chunk's compressed bytes.
        let reader = try FrameFileReader(url: url)
        _ = reader
        data[data.count / 2] ^= 0xFF
        data[data.count / 2 + 1] ^= 0xFF
        try data.write(to: url)
        let damaged = try FrameFileReader(url: url)
        #expect(throws: MixError.self) {
            for index in 0..<25 { _ = try damaged.frame(at: index) }
        }
    }

    @Test("a tampered index or chunk is refused, never read out of bounds", arguments: ["index offset", "empty index", "chunk count", "frame count"])
    func tampered(part: String) throws {
        let folder = try TemporaryDirectory()
        let url = folder.file("song.frames")
        try Self.write(to: url)
        var data = try Data(contentsOf: url)
        let end = data.count
        func putUInt64(_ value: UInt64, at offset: Int) {
            withUnsafeBytes(of: value.littleEndian) { data.replaceSubrange(offset..<(offset + 8), with: $0) }
        }
        switch part {
        case "index offset": putUInt64(UInt64(end - 10), at: end - 16)
        case "empty index": putUInt64(UInt64(end - 16), at: end - 16)
        case "chunk count":
            // The first chunk claims 3 records where the header promises 10.
            let headerLength = Int(data[8]) | Int(data[9]) << 8
            data[12 + headerLength + 4] = 3
        default:
            let text = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\"frame_count\":25", with: "\"frame_count\":-5")
            data = Data(text.utf8)
        }
        try data.write(to: url)
        #expect(throws: MixError.self) {
            let reader = try FrameFileReader(url: url)
            for index in 0..<max(0, reader.frameCount) { _ = try reader.frame(at: index) }
        }
    }

    @Test("the realtime JSON has the original's shapes")
    func realtimeShapes() throws {
        let frame = Self.frame(2)
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(frame.realtimeBlocks)) as! [String: Any]
        let meters = json["realtime_meters"] as! [String: Any]
        let lead = (meters["tracks"] as! [String: Any])["Lead Vox.wav"] as! [String: Any]
        #expect(Set(lead.keys).isSuperset(of: ["gain_reduction_db", "rms", "peak"]))
        #expect(lead["rms"] as? Double == -20.2)
        let master = meters["master"] as! [String: Any]
        #expect(Set(master.keys).isSuperset(of: ["gain_reduction_db", "limiter_gr_db", "rms", "peak"]))
        #expect(master["gain_reduction_db"] as? Double == 1.5)
        let spectra = json["realtime_spectra"] as! [String: Any]
        #expect(((spectra["tracks"] as! [String: Any])["Beat.wav"] as! [Any]).count == 256)
        #expect((spectra["pre_master"] as! [Any]).count == 256 && (spectra["post_master"] as! [Any]).count == 256)
        let scope = json["realtime_scope"] as! [String: Any]
        #expect((scope["waveform"] as! [Any]).count == 512)
        #expect((scope["phase"] as! [[Any]]).count == 512 && (scope["phase"] as! [[Any]])[0].count == 2)
        #expect(abs((scope["l_r_correlation"] as! Double) - 0) < 1e-3)
        let loudness = json["realtime_loudness"] as! [String: Any]
        #expect(loudness["integrated_lufs"] as? Double == -14.02 && loudness["loudness_range_lu"] as? Double == 3.5)
        #expect(loudness["true_peak_max_dbtp"] as? Double == -1.13 && loudness["momentary_lufs"] is NSNull)
    }

    @Test("two tracks of one name get keys of their own in the JSON shapes")
    func duplicateNames() throws {
        #expect(FrameFileHeader.uniqueKeys(["Lead.wav", "Beat.wav", "Lead.wav", "Lead.wav", "Lead.wav (2)"])
            == ["Lead.wav", "Beat.wav", "Lead.wav (2)", "Lead.wav (3)", "Lead.wav (2) (2)"])
    }
}
