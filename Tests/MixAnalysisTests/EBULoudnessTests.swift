import Foundation
import MixAnalysis
import MixDSP
import MixTestSupport
import Testing

/// `expected.json` of `gen_ebu_tests.py`.
struct EBUExpectations: Decodable {
    struct Case: Decodable {
        let id: String
        let file: String?
        let channels: Int?
        let expect: [Measure]
    }

    struct Measure: Decodable {
        let measure: String
        let value: Value
        let tolMinus: Double
        let tolPlus: Double
        let afterS: Double?
        let segmentS: Double?

        enum CodingKeys: String, CodingKey {
            case measure, value
            case tolMinus = "tol_minus"
            case tolPlus = "tol_plus"
            case afterS = "after_s"
            case segmentS = "segment_s"
        }
    }

    enum Value: Decodable {
        case one(Double)
        case many([Double])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(Double.self) { self = .one(value) } else { self = .many(try container.decode([Double].self)) }
        }
    }

    let cases: [Case]
}

/// Loudness through `LoudnessMeter` (libebur128, histogram mode) against EBU Tech 3341 cases 1–6
/// and 9–23 and Tech 3342 cases 1–4, with the documents' tolerances.
/// Where `gen_ebu_tests.py` wrote the signals (`$MIXDOWN_CORPUS/ebu`, which scripts/test fills).
enum EBUCorpus {
    static let absentMessage = "the EBU test signals were not generated: ./scripts/test generates them when ../shared is present"
    static let folder: URL? = {
        let base = ProcessInfo.processInfo.environment["MIXDOWN_CORPUS"] ?? "/tmp/mixdown-corpus"
        let url = URL(fileURLWithPath: base).appendingPathComponent("ebu")
        return FileManager.default.fileExists(atPath: url.appendingPathComponent("expected.json").path) ? url : nil
    }()
}

@Suite("EBU Tech 3341 / 3342", .enabled(if: EBUCorpus.folder != nil, Comment(rawValue: EBUCorpus.absentMessage)))
struct EBULoudnessTests {
    static let folder = EBUCorpus.folder

    static let cases: [String] = {
        guard let folder, let data = try? Data(contentsOf: folder.appendingPathComponent("expected.json")),
            let expectations = try? JSONDecoder().decode(EBUExpectations.self, from: data)
        else { return [] }
        return expectations.cases.filter { $0.file != nil && !$0.expect.isEmpty }.map(\.id)
    }()

    /// Momentary, short-term values every 20 ms, and the end results, of one file.
    struct Track {
        var times: [Double] = []
        var momentary: [Double?] = []
        var shortTerm: [Double?] = []
        var integrated: Double?
        var range: Double?
        var truePeak: Double?
    }

    static func measure(_ url: URL) throws -> Track {
        let file = try PCMWaveFile(url: url)
        let meter = LoudnessMeter(
            channelCount: file.channelCount, sampleRate: file.sampleRate,
            measures: [.integrated, .shortTerm, .loudnessRange, .truePeak])!
        if let layout = ChannelLayout.standard(channelCount: file.channelCount) { meter.setChannelPositions(layout.positions) }
        // Every 20 ms: the test signals' segments start on that grid, so maxima are exact.
        let step = file.sampleRate / 50
        var track = Track()
        var frames = 0
        file.samples.withUnsafeBufferPointer { samples in
            while frames < file.frameCount {
                let count = min(step, file.frameCount - frames)
                meter.add(interleaved: samples.baseAddress! + frames * file.channelCount, frameCount: count)
                frames += count
                track.times.append(Double(frames) / Double(file.sampleRate))
                track.momentary.append(meter.momentaryLUFS)
                track.shortTerm.append(meter.shortTermLUFS)
            }
        }
        track.integrated = meter.integratedLUFS
        track.range = meter.loudnessRangeLU
        track.truePeak = meter.truePeakDBTP
        return track
    }

    /// The Tech 3342 cases with a loudness range to reach.
    static let rangeCases: [String] = cases.filter { $0.hasPrefix("3342") }

    @Test("the render's own meter (the frames' loudness range) within the Tech 3342 tolerance", arguments: rangeCases)
    func engineRange(id: String) throws {
        let folder = Self.folder!
        let expectations = try JSONDecoder().decode(EBUExpectations.self, from: Data(contentsOf: folder.appendingPathComponent("expected.json")))
        let testCase = expectations.cases.first { $0.id == id }!
        let file = try PCMWaveFile(url: folder.appendingPathComponent(testCase.file!))
        try #require(file.channelCount <= 2)
        let meter = GatedLoudnessMeter(sampleRate: file.sampleRate, measuresRange: true)
        let step = 4096
        var left = [Float](repeating: 0, count: step), right = left
        var start = 0
        while start < file.frameCount {
            let count = min(step, file.frameCount - start)
            for i in 0..<count {
                let frame = (start + i) * file.channelCount
                left[i] = file.samples[frame]
                // A mono signal is counted once (its right channel silent).
                right[i] = file.channelCount == 2 ? file.samples[frame + 1] : 0
            }
            meter.add(left: left, right: right, frameCount: count)
            start += count
        }
        for m in testCase.expect where m.measure == "LRA" {
            guard case .one(let expected) = m.value, let range = meter.loudnessRangeLU else {
                Issue.record("\(id): no range")
                continue
            }
            #expect(range >= expected - m.tolMinus && range <= expected + m.tolPlus, "\(id): \(range) vs \(expected)")
        }
    }

    @Test("the expectations cover Tech 3341 cases 1–6 and 9–23 and Tech 3342 cases 1–4")
    func coverage() {
        #expect(Self.cases.count >= 60)
        for id in ["3341-1", "3341-6", "3341-9", "3341-15", "3341-23", "3342-1", "3342-4"] {
            #expect(Self.cases.contains(id), "\(id)")
        }
    }

    @Test("within the documents' tolerances", arguments: cases)
    func ebuCase(id: String) throws {
        let folder = Self.folder!
        let expectations = try JSONDecoder().decode(EBUExpectations.self, from: Data(contentsOf: folder.appendingPathComponent("expected.json")))
        let testCase = expectations.cases.first { $0.id == id }!
        let track = try Self.measure(folder.appendingPathComponent(testCase.file!))
        func check(_ measured: Double?, _ expected: Double, _ m: EBUExpectations.Measure, _ what: String) {
            guard let measured else {
                Issue.record("\(id) \(what): no value")
                return
            }
            #expect(measured >= expected - m.tolMinus && measured <= expected + m.tolPlus, "\(id) \(what): \(measured) vs \(expected)")
        }
        for m in testCase.expect {
            switch (m.measure, m.value) {
            case ("I", .one(let v)): check(track.integrated, v, m, "I")
            case ("LRA", .one(let v)): check(track.range, v, m, "LRA")
            case ("TP_max", .one(let v)): check(track.truePeak, v, m, "TP")
            case ("M_const", .one(let v)), ("S_const", .one(let v)):
                let values = m.measure == "M_const" ? track.momentary : track.shortTerm
                for (time, value) in zip(track.times, values) where time >= m.afterS ?? 0 {
                    check(value, v, m, "\(m.measure) at \(time) s")
                }
            case ("M_max", .one(let v)), ("S_max", .one(let v)):
                let values = (m.measure == "M_max" ? track.momentary : track.shortTerm).compactMap { $0 }
                check(values.max(), v, m, m.measure)
            case ("M_max_per_segment", .many(let list)), ("S_max_per_segment", .many(let list)):
                let values = m.measure == "M_max_per_segment" ? track.momentary : track.shortTerm
                let segment = m.segmentS!
                for (index, expected) in list.enumerated() {
                    let inSegment = zip(track.times, values).filter {
                        $0.0 > Double(index) * segment + 1e-9 && $0.0 <= Double(index + 1) * segment + 1e-9
                    }.compactMap(\.1)
                    check(inSegment.max(), expected, m, "\(m.measure) segment \(index)")
                }
            default:
                Issue.record("\(id): unknown measure \(m.measure)")
            }
        }
    }
}
