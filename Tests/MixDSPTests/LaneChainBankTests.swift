import Foundation
import MixDSP
import MixTestSupport
import Testing

/// The bank runs several tracks' chains in the lanes of one vector; each lane must give, bit
/// for bit, what the track's own processors give (which their own tests hold to the math).
@Suite("Track chains in lanes, against the processors")
struct LaneChainBankTests {
    static let rate = 48_000.0

    /// Chains like the role presets', plus odd ones: a one-band EQ, a track with nothing but
    /// its fader, an RMS compressor, a hard saturator, a de-esser at its cap.
    static let tracks: [LaneChainBank.Track] = [
        // A stereo adlib: everything, widened.
        .init(
            channelCount: 2, matchGainDB: 4,
            equalizer: [.init(.highPass, frequencyHz: 150), .init(.bell, frequencyHz: 400, q: 1, gainDB: -3),
                        .init(.highShelf, frequencyHz: 9000, gainDB: 1)],
            compressor: .init(thresholdDB: -24, ratio: 4, kneeDB: 6, attackMs: 4, releaseMs: 90, makeupDB: 3),
            saturator: .init(driveDB: 9, mix: 0.4), faderDB: -4,
            deEsser: .init(thresholdDB: -34, ratio: 5, centerHz: 6500, attackMs: 1, releaseMs: 60, maxReductionDB: 6),
            air: .init(frequencyHz: 11_000, gainDB: 2), width: 1.3),
        // A mono lead: five bands.
        .init(
            channelCount: 1, matchGainDB: -2.5,
            equalizer: [.init(.highPass, frequencyHz: 90), .init(.bell, frequencyHz: 280, gainDB: -2.5),
                        .init(.bell, frequencyHz: 3200, q: 0.9, gainDB: 2), .init(.bell, frequencyHz: 5500, q: 2, gainDB: -1),
                        .init(.highShelf, frequencyHz: 8000, gainDB: 1)],
            compressor: .init(thresholdDB: -20, ratio: 3.5, kneeDB: 6, attackMs: 5, releaseMs: 90, makeupDB: 1.5),
            saturator: .init(driveDB: 4, mix: 0.3), faderDB: 0,
            deEsser: .init(thresholdDB: -28, ratio: 4, centerHz: 7000), air: .init(frequencyHz: 11_000, gainDB: 2), width: 1),
        // A stereo beat: an RMS compressor, two bands, nothing else.
        .init(
            channelCount: 2, matchGainDB: -10,
            equalizer: [.init(.highPass, frequencyHz: 30), .init(.lowShelf, frequencyHz: 100, gainDB: 1)],
            compressor: .init(thresholdDB: -16, ratio: 2, kneeDB: 8, attackMs: 20, releaseMs: 200, makeupDB: 0, detector: .rms),
            saturator: nil, faderDB: -1, deEsser: nil, air: nil, width: 1),
        // A mono double, widened (a mono track has no side: width leaves it alone).
        .init(
            channelCount: 1, matchGainDB: 6, equalizer: [.init(.bell, frequencyHz: 2500, q: 1, gainDB: -1)],
            compressor: nil, saturator: .init(driveDB: 24, mix: 1), faderDB: -6,
            deEsser: .init(thresholdDB: -50, ratio: 10, centerHz: 8000, maxReductionDB: 12), air: nil, width: 1.8),
        // A mono track with only its fader (the basic mix).
        .init(channelCount: 1, matchGainDB: nil, equalizer: [], compressor: nil, saturator: nil, faderDB: -3, deEsser: nil, air: nil, width: 1),
    ]

    /// Every lane in use: four stereo tracks (the mono ones made stereo).
    static let eightLaneTracks: [LaneChainBank.Track] = [tracks[0], tracks[1], tracks[2], tracks[3]].map { track in
        var stereo = track
        stereo.channelCount = 2
        return stereo
    }

    /// Hot, dynamic, with sibilance and a silent tail: every stage engages and decays.
    static func input(
        track: Int, of tracks: [LaneChainBank.Track] = tracks, sampleRate: Double = rate, frameCount: Int = 24_000
    ) -> (left: [Float], right: [Float]) {
        let noise = SignalGenerator.noise(frameCount: frameCount, amplitude: 0.7, seed: UInt64(30 + track))
        let other = SignalGenerator.noise(frameCount: frameCount, amplitude: 0.7, seed: UInt64(60 + track))
        let ess = SignalGenerator.sine(frequencyHz: 6800, sampleRate: sampleRate, frameCount: frameCount, amplitude: 0.5)
        let tone = SignalGenerator.sine(frequencyHz: 180 + 40 * Double(track), sampleRate: sampleRate, frameCount: frameCount, amplitude: 0.4)
        let envelope: (Int) -> Float = { $0 >= 18_000 ? 0 : ($0 % 4000 < 2000 ? 1 : 0.04) }
        let left = (0..<frameCount).map { (noise[$0] * 0.5 + tone[$0] + ($0 % 9000 > 6000 ? ess[$0] : 0)) * envelope($0) }
        let right = (0..<frameCount).map { (other[$0] * 0.4 + tone[$0] * 0.8) * envelope($0) }
        return tracks[track].channelCount == 1 ? (left, left) : (left, right)
    }

    @Test("each lane is bit for bit its track's processors, readouts included: 44.1, 48 and 96 kHz, blocks of 1 to 8192",
          arguments: [44_100.0, 48_000, 96_000], [1, 7, 127, 128, 129, 1600, 1601, 8192])
    func matchesProcessors(sampleRate: Double, blockFrameCount: Int) throws {
        try Self.compare(Self.tracks, sampleRate: sampleRate, blockFrameCount: blockFrameCount)
    }

    @Test("all eight lanes in use (four stereo tracks), bit for bit", arguments: [1, 129, 8192])
    func allEightLanes(blockFrameCount: Int) throws {
        try Self.compare(Self.eightLaneTracks, sampleRate: Self.rate, blockFrameCount: blockFrameCount)
        #expect(LaneLayout(channelCounts: Self.eightLaneTracks.map(\.channelCount))?.usedLaneCount == 8)
    }

    /// Runs `tracks` through one bank and through their own processors (`ReferenceChain`) in
    /// blocks of `blockFrameCount`, and expects the same bits and the same readouts.
    static func compare(_ tracks: [LaneChainBank.Track], sampleRate: Double, blockFrameCount: Int) throws {
        let bank = try #require(try LaneChainBank(tracks: tracks, sampleRate: sampleRate, maxFrameCount: 8192))
        let inputs = tracks.indices.map { Self.input(track: $0, of: tracks, sampleRate: sampleRate) }
        let frameCount = inputs[0].left.count
        var frames = [SIMD8<Float>](repeating: .zero, count: frameCount)
        for (track, lane) in bank.layout.trackLanes.enumerated() {
            for i in 0..<frameCount {
                frames[i][lane.first] = inputs[track].left[i]
                if let second = lane.second { frames[i][second] = inputs[track].right[i] }
            }
        }
        let references = try tracks.map { try ReferenceChain($0, sampleRate: sampleRate, maxFrameCount: blockFrameCount) }
        var outputLeft = inputs.map(\.left), outputRight = inputs.map(\.right)
        var compared = 0
        var largestReduction = (compressor: Float(0), deEsser: Float(0))
        frames.withUnsafeMutableBufferPointer { frames in
            var offset = 0
            while offset < frameCount {
                let n = min(blockFrameCount, frameCount - offset)
                bank.process(frames.baseAddress! + offset, frameCount: n)
                for (track, reference) in references.enumerated() {
                    outputLeft[track].withUnsafeMutableBufferPointer { l in
                        outputRight[track].withUnsafeMutableBufferPointer { r in
                            let block = AudioBlock(left: l.baseAddress! + offset, right: r.baseAddress! + offset, frameCount: n)
                            reference.process(block)
                            if let compressor = reference.compressor {
                                #expect(bank.compressorGainReduction(track: track) == compressor.lastGainReduction)
                                largestReduction.compressor = max(largestReduction.compressor, compressor.lastGainReduction.maxDB)
                                compared += 1
                            }
                            if let deEsser = reference.deEsser {
                                #expect(bank.deEsserGainReduction(track: track) == deEsser.lastGainReduction)
                                largestReduction.deEsser = max(largestReduction.deEsser, deEsser.lastGainReduction.maxDB)
                            }
                        }
                    }
                }
                offset += n
            }
        }
        #expect(compared > 0)
        for (track, lane) in bank.layout.trackLanes.enumerated() {
            let left = frames.map { $0[lane.first] }
            let right = lane.second.map { second in frames.map { $0[second] } } ?? left
            #expect(left == outputLeft[track], "track \(track), left")
            #expect(right == outputRight[track], "track \(track), right")
            #expect(left != inputs[track].left, "track \(track) must be processed")
        }
        // The dynamics did work: the comparison covered real gain reduction.
        #expect(largestReduction.compressor > 3 && largestReduction.deEsser > 1, "\(largestReduction)")
    }

    @Test("lanes: a stereo track's channels across the halves, mono tracks in the lanes left; too many do not fit")
    func layout() {
        let layout = LaneLayout(channelCounts: [1, 2, 1, 2, 1])!
        #expect(layout.trackLanes.map(\.first) == [2, 0, 3, 1, 6])
        #expect(layout.trackLanes.map(\.second) == [nil, 4, nil, 5, nil])
        #expect(layout.usedLaneCount == 7)
        #expect(LaneLayout(channelCounts: [2, 2, 2, 2]) != nil)
        #expect(LaneLayout(channelCounts: [2, 2, 2, 2, 1]) == nil)
    }

    @Test("a warm process allocates nothing (counted)")
    func noAllocation() throws {
        let bank = try #require(try LaneChainBank(tracks: Self.tracks, sampleRate: Self.rate, maxFrameCount: 8192))
        var frames = [SIMD8<Float>](repeating: SIMD8(repeating: 0.3), count: 512)
        let allocations = frames.withUnsafeMutableBufferPointer { frames in
            countAllocations { bank.process(frames.baseAddress!, frameCount: 512) }
        }
        #expect(allocations == 0)
    }
}
