import Foundation
import HTTPTypes
import MixAnalysis
@testable import MixEngine
@testable import MixServer
import MixTesting
import NIOCore
import Testing

@Suite("the realtime stream's formats: the binary layout, the JSON shapes, the parameters, the replay clock, control messages")
struct RealtimeFormatTests {
    static let header = FrameFileHeader(
        framesPerSecond: 30, sampleRate: 48_000, frameCount: 900,
        tracks: [.init(name: "Lead Vox.wav", role: .lead, id: "a1"), .init(name: "Beat.wav", role: .beat, id: "b2")],
        framesPerChunk: 30)

    /// A record in which every field holds a value of its own.
    static func record(_ index: Int) -> [UInt8] {
        let layout = FrameLayout(trackCount: 2)
        var bytes = [UInt8](repeating: 0, count: layout.recordBytes)
        bytes.withUnsafeMutableBytes { raw in
            let writer = FrameRecordWriter(bytes: raw.baseAddress!)
            for track in 0..<2 {
                typealias Field = FrameLayout.Track
                let offset = layout.trackOffset(track)
                writer.int16(FrameQuantizer.centiDB(-20.5 - Double(track)), at: offset + Field.rms)
                writer.int16(track == 1 ? FrameQuantizer.none : FrameQuantizer.centiDB(-6.25), at: offset + Field.peak)
                writer.uint16(FrameQuantizer.centiDBUnsigned(3.5 + Double(track)), at: offset + Field.compressorGR)
                writer.uint16(FrameQuantizer.centiDBUnsigned(1.25 * Double(track)), at: offset + Field.deEsserGR)
                let bands = (0..<256).map { Float(-80 + $0 / 4 + track) }
                bands.withUnsafeBufferPointer { writer.spectrum($0.baseAddress!, at: offset + Field.spectrum) }
            }
            for (which, offset) in [layout.preMasterSpectrumOffset, layout.postMasterSpectrumOffset].enumerated() {
                let bands = (0..<256).map { Float(-70 + which * 5 + $0 / 8) }
                bands.withUnsafeBufferPointer { writer.spectrum($0.baseAddress!, at: offset) }
            }
            typealias Master = FrameLayout.Master
            let values: [(Int, Double?)] = [
                (Master.rms, -15.5), (Master.samplePeak, -2.25), (Master.truePeak, -1.75), (Master.momentary, -13.0),
                (Master.shortTerm, -14.25), (Master.integrated, -14.01), (Master.loudnessRange, 4.5), (Master.truePeakMax, -1.09),
            ]
            for (field, value) in values { writer.int16(FrameQuantizer.centiDB(value), at: layout.masterOffset + field) }
            writer.uint16(FrameQuantizer.centiDBUnsigned(2.5), at: layout.masterOffset + Master.busCompressorGR)
            writer.uint16(FrameQuantizer.centiDBUnsigned(0.5), at: layout.masterOffset + Master.limiterGR)
            for scope in 0..<3 {
                let waveform = (0..<512).map { Float(sin(Double($0 + scope * 100 + index) / 9)) * 0.9 }
                let goniometer = (0..<1024).map { Float(cos(Double($0 * (scope + 1)) / 11)) * 0.6 }
                writer.scope(
                    ScopeSnapshot(waveform: waveform, correlation: 0.75 - Float(scope) / 2, goniometer: goniometer),
                    at: layout.scopeOffset(scope))
            }
        }
        return bytes
    }

    static func message(_ index: Int, channels: StreamChannels, flags: RealtimeLayout.Flags = [.complete, .replay]) -> [UInt8] {
        let record = record(index)
        var message = RealtimeEncoder.binaryPrefix(sequence: 42, frameIndex: index, mediaTimeS: Double(index) / 30, sentAtMs: 1.5e12)
        var body = record.withUnsafeBytes {
            RealtimeEncoder.binaryBody(record: $0.baseAddress!, layout: FrameLayout(trackCount: 2), channels: channels, flags: flags)
        }
        message.writeBuffer(&body)
        return Array(message.readableBytesView)
    }

    /// Reads little-endian values at byte offsets, as a browser's DataView would.
    struct Reader {
        let bytes: [UInt8]
        func u16(_ at: Int) -> UInt16 { UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8 }
        func i16(_ at: Int) -> Int16 { Int16(bitPattern: u16(at)) }
        func u32(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[at + $1]) << (8 * $1) } }
        func f64(_ at: Int) -> Double { Double(bitPattern: (0..<8).reduce(0) { $0 | UInt64(bytes[at + $1]) << (8 * $1) }) }
        func dB(_ at: Int) -> Double? { i16(at) == Int16.min ? nil : Double(i16(at)) / 100 }
    }

    @Test("a binary message reads back, section by section at the offsets the stream describes, as the frame's values")
    func binaryReadsBack() throws {
        let frame = Self.record(7).withUnsafeBytes { MeterFrame(record: $0.baseAddress!, index: 7, header: Self.header, isComplete: true) }
        let bytes = Self.message(7, channels: .all)
        let r = Reader(bytes: bytes)
        let layout = RealtimeLayout(channels: .all, trackCount: 2)
        #expect(bytes.count == layout.messageBytes)
        #expect(Array(bytes[0..<4]) == Array("MXRT".utf8) && r.u16(4) == 1 && r.u16(6) == 32)
        #expect(r.u32(8) == 42 && r.u32(12) == 7 && abs(r.f64(16) - 7.0 / 30) < 1e-12 && r.f64(24) == 1.5e12)
        #expect(r.u16(32) == StreamChannels.all.rawValue && r.u16(34) == 3 && r.u16(36) == 2)
        let sections = Dictionary(uniqueKeysWithValues: layout.sections.map { ($0.name, $0.offset) })
        for offset in sections.values { #expect(offset % 8 == 0, "every section starts 8-byte aligned") }
        let meters = try #require(sections["meters"])
        for (track, expected) in frame.tracks.enumerated() {
            #expect(r.dB(meters + 8 * track) == expected.rmsDB && r.dB(meters + 8 * track + 2) == expected.peakDB)
            #expect(r.dB(meters + 8 * track + 4) == expected.compressorGainReductionDB)
            #expect(r.dB(meters + 8 * track + 6) == expected.deEsserGainReductionDB)
        }
        let master = meters + 16
        #expect(r.dB(master) == 2.5 && r.dB(master + 2) == 0.5 && r.dB(master + 4) == -15.5)
        #expect(r.dB(master + 6) == -2.25 && r.dB(master + 8) == -1.75)
        let loudness = try #require(sections["loudness"])
        #expect([0, 2, 4, 6, 8].map { r.dB(loudness + $0) } == [-13.0, -14.25, -14.01, 4.5, -1.09])
        let spectra = try #require(sections["spectra"])
        #expect(Float(bytes[spectra + 100]) - 120 == frame.tracks[0].spectrumDB[100])
        #expect(Float(bytes[spectra + 256 + 7]) - 120 == frame.tracks[1].spectrumDB[7])
        #expect(Float(bytes[spectra + 512 + 30]) - 120 == frame.preMasterSpectrumDB[30])
        #expect(Float(bytes[spectra + 768 + 255]) - 120 == frame.postMasterSpectrumDB[255])
        let scope = try #require(sections["scope"])
        #expect(abs(Float(r.i16(scope)) / 32767 - frame.preMasterScope.correlation) < 1e-6)
        #expect(abs(Float(r.i16(scope + 4)) / 32767 - frame.finalScope.correlation) < 1e-6)
        let points = scope + 8
        #expect(Float(Int8(bitPattern: bytes[points + 5])) / 127 == frame.preMasterScope.waveform[5])
        #expect(Float(Int8(bitPattern: bytes[points + 1536 + 512 + 9])) / 127 * 1.41421356 == frame.postMasterScope.goniometer[18])
        #expect(Float(Int8(bitPattern: bytes[points + 2 * 1536 + 1024 + 3])) / 127 * 1.41421356 == frame.finalScope.goniometer[7])
    }

    @Test("only the channels asked for are in a message, in the documented order", arguments: [
        StreamChannels.meters, .spectra, .scope, .loudness, [.meters, .scope], [.loudness, .spectra],
    ])
    func channelsFiltered(channels: StreamChannels) {
        let bytes = Self.message(3, channels: channels)
        let layout = RealtimeLayout(channels: channels, trackCount: 2)
        #expect(bytes.count == layout.messageBytes)
        #expect(Reader(bytes: bytes).u16(32) == channels.rawValue)
        #expect(layout.sections.map(\.name) == StreamChannels.named.filter { channels.contains($0.channel) }.map(\.name))
        #expect(layout.sections.first?.offset == 40)
    }

    @Test("the binary layout is pinned by a golden file")
    func golden() throws {
        let written = Data(Self.message(11, channels: .all, flags: [.complete, .replay, .last]))
        let golden = Corpus.repositoryRoot.appendingPathComponent("Tests/MixServerTests/Golden/realtime-v1.bin")
        if ProcessInfo.processInfo.environment["MIXDOWN_RECORD_GOLDEN"] == "1" {
            try written.write(to: golden)
            Issue.record("recorded \(golden.lastPathComponent); run again without MIXDOWN_RECORD_GOLDEN")
            return
        }
        #expect(written == (try Data(contentsOf: golden)))
    }

    @Test("a JSON frame: the original's shapes and realtime_loudness, only the asked-for blocks, the flags")
    func jsonShapes() throws {
        let frame = Self.record(2).withUnsafeBytes { MeterFrame(record: $0.baseAddress!, index: 2, header: Self.header, isComplete: true) }
        var message = RealtimeEncoder.jsonPrefix(sequence: 9, sentAtMs: 1234.5)
        var body = RealtimeEncoder.jsonBody(frame, channels: [.meters, .loudness], flags: [.complete])
        message.writeBuffer(&body)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(message.readableBytesView)) as? [String: Any])
        #expect(json["type"] as? String == "frame" && json["seq"] as? Int == 9 && json["sent_at_ms"] as? Double == 1234.5)
        #expect(json["frame"] as? Int == 2 && json["complete"] as? Bool == true && json["replay"] as? Bool == false)
        #expect(json["realtime_spectra"] == nil && json["realtime_scope"] == nil)
        let tracks = try #require((json["realtime_meters"] as? [String: Any])?["tracks"] as? [String: [String: Any]])
        #expect(tracks["Lead Vox.wav"]?["rms"] as? Double == -20.5 && tracks["Beat.wav"]?["peak"] as? Double == -120)
        let loudness = try #require(json["realtime_loudness"] as? [String: Any])
        #expect(loudness["integrated_lufs"] as? Double == -14.01 && loudness["loudness_range_lu"] as? Double == 4.5)
    }

    @Test("parameters: defaults, each one's range, and a refusal naming the parameter", arguments: [
        ("", nil), ("fps=60&channels=scope,meters&encoding=json&from=12.5", nil), ("fps=9", "fps"), ("fps=61", "fps"),
        ("fps=abc", "fps"), ("channels=", "channels"), ("channels=meters,colour", "channels"), ("encoding=xml", "encoding"),
        ("from=-1", "from"), ("from=nan", "from"), ("from=inf", "from"),
    ] as [(String, String?)])
    func parameters(query: String, refused: String?) throws {
        let request = ServerTest.request("/ws/mix/realtime/j?\(query)")
        if let refused {
            do {
                _ = try RealtimeRequest(request)
                Issue.record("\(query) was taken")
            } catch let error as APIError {
                #expect(error.status == .badRequest && error.field == refused && error.message.hasPrefix("\(refused): "))
            }
        } else {
            let parsed = try RealtimeRequest(request)
            if query.isEmpty {
                #expect(parsed == RealtimeRequest())
                #expect(parsed.framesPerSecond == 30 && parsed.channels == .all && parsed.encoding == .binary && parsed.fromSeconds == 0)
            } else {
                #expect(parsed.framesPerSecond == 60 && parsed.channels == [.scope, .meters] && parsed.encoding == .json)
                #expect(parsed.fromSeconds == 12.5)
            }
        }
    }

    @Test("the replay clock: playing moves with the wall clock, pause and seek hold, positions stay within the song")
    func replayClock() {
        let t0 = ContinuousClock.now
        var clock = ReplayClock(durationS: 10, positionS: 2, playing: true, now: t0)
        #expect(abs(clock.positionS(at: t0 + .milliseconds(1500)) - 3.5) < 1e-9)
        #expect(clock.frameIndex(at: t0 + .milliseconds(1500), framesPerSecond: 30, frameCount: 300) == 105)
        #expect(clock.positionS(at: t0 + .seconds(60)) == 10)
        #expect(clock.frameIndex(at: t0 + .seconds(60), framesPerSecond: 30, frameCount: 300) == 299)
        clock.pause(at: 4)
        #expect(!clock.isPlaying && clock.positionS(at: t0 + .seconds(5)) == 4)
        clock.seek(to: 7, now: t0 + .seconds(5))
        #expect(!clock.isPlaying && clock.positionS(at: t0 + .seconds(9)) == 7)
        clock.play(at: 7, now: t0 + .seconds(9))
        clock.seek(to: 1, now: t0 + .seconds(10))
        #expect(clock.isPlaying && abs(clock.positionS(at: t0 + .seconds(12)) - 3) < 1e-9)
        clock.seek(to: 99, now: t0)
        #expect(clock.positionS(at: t0 + .seconds(1)) == 10)
    }

    @Test("a tick counts a frame only when a playing replay has moved on: a tick timed before a jump reads no earlier frame")
    func replayTicksOnlyMoveOn() {
        let t0 = ContinuousClock.now
        var clock = ReplayClock(durationS: 10, positionS: 2, playing: true, now: t0)
        let start = clock.frameIndex(at: t0, framesPerSecond: 60, frameCount: 600)
        #expect(start == 120)
        // A tick whose grid time was 5 ms before the start (its timer woke late) shows nothing.
        #expect(clock.frameIndex(at: t0 - .milliseconds(5), after: start, framesPerSecond: 60, frameCount: 600) == nil)
        #expect(clock.frameIndex(at: t0 + .milliseconds(5), after: start, framesPerSecond: 60, frameCount: 600) == nil)
        #expect(clock.frameIndex(at: t0 + .milliseconds(17), after: start, framesPerSecond: 60, frameCount: 600) == 121)
        // Back to 1 s: the seek's own frame is 60, the ticks after it go on from there.
        clock.seek(to: 1, now: t0 + .seconds(1))
        #expect(clock.frameIndex(at: t0 + .milliseconds(999), after: 60, framesPerSecond: 60, frameCount: 600) == nil)
        #expect(clock.frameIndex(at: t0 + .milliseconds(1017), after: 60, framesPerSecond: 60, frameCount: 600) == 61)
        clock.pause(at: 1)
        #expect(clock.frameIndex(at: t0 + .seconds(3), after: nil, framesPerSecond: 60, frameCount: 600) == nil)
    }

    @Test("control messages: play, pause and seek with a time; anything else is an error that says what to send", arguments: [
        (#"{"play": 1.5}"#, ControlMessage.play(1.5)), (#"{"pause":0}"#, .pause(0)), (#"{"seek": 30}"#, .seek(30)),
        (#"{"seek": -1}"#, nil), (#"{"seek": "10"}"#, nil), (#"{"seek": true}"#, nil), (#"{"stop": 1}"#, nil),
        (#"{"play": 1, "pause": 2}"#, nil), ("[1]", nil), ("play", nil), ("", nil),
    ] as [(String, ControlMessage?)])
    func controls(text: String, expected: ControlMessage?) {
        switch ControlMessage.parse(text) {
        case .success(let control): #expect(control == expected, "\(text)")
        case .failure(let error):
            #expect(expected == nil, "\(text): \(error.message)")
            #expect(!error.message.isEmpty)
        }
    }
}
