import Foundation
import MixAnalysis
import MixDSP
import MixEngine

// Times every processor and the two chains on one core: ns per stereo frame and × realtime at
// 48 kHz, best of five runs over a 60 s music-like signal in 512-frame blocks; then the meters
// a mix runs beside them. With `--write PATH` it also writes the signal as a float WAV, for the
// peer (sox) to process; with `--meters` it times only the meters.

let sampleRate = 48_000.0
let frameCount = 48_000 * 60
let blockFrameCount = 512

/// Pink-ish noise with a beat-like envelope and a vocal-range tone: levels a chain really sees.
func makeSignal() -> ([Float], [Float]) {
    var state: UInt64 = 42
    func uniform() -> Float {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Float(Double(state >> 11) / Double(1 << 53)) * 2 - 1
    }
    var left = [Float](repeating: 0, count: frameCount), right = left
    var lowLeft: Float = 0, lowRight: Float = 0
    for n in 0..<frameCount {
        lowLeft = 0.97 * lowLeft + 0.03 * uniform()
        lowRight = 0.97 * lowRight + 0.03 * uniform()
        let beat = Float(exp(-Double(n % 24_000) / 4000))
        let voice = Float(0.3 * sin(2 * Double.pi * 220 * Double(n) / sampleRate) * (1 + 0.3 * sin(Double(n) / 9000)))
        left[n] = 0.6 * beat * (lowLeft * 4 + 0.15 * uniform()) + voice
        right[n] = 0.6 * beat * (lowRight * 4 + 0.15 * uniform()) + voice * 0.8
    }
    return (left, right)
}

/// Work buffers, touched once up front so page faults and copy-on-write stay out of the timing.
var workLeft = [Float](repeating: 1, count: frameCount)
var workRight = [Float](repeating: 1, count: frameCount)

/// Best-of-five seconds for running `processors` over the signal.
@MainActor
func time(_ processors: [any AudioProcessor], left source: [Float], right sourceRight: [Float]) -> Double {
    var best = Double.infinity
    for _ in 0..<5 {
        workLeft.withUnsafeMutableBufferPointer { _ = $0.update(fromContentsOf: source) }
        workRight.withUnsafeMutableBufferPointer { _ = $0.update(fromContentsOf: sourceRight) }
        for processor in processors {
            processor.prepare(ProcessSpec(sampleRate: sampleRate, maxFrameCount: blockFrameCount))
        }
        let started = DispatchTime.now().uptimeNanoseconds
        workLeft.withUnsafeMutableBufferPointer { l in
            workRight.withUnsafeMutableBufferPointer { r in
                var offset = 0
                while offset < frameCount {
                    let count = min(blockFrameCount, frameCount - offset)
                    let block = AudioBlock(left: l.baseAddress! + offset, right: r.baseAddress! + offset, frameCount: count)
                    for processor in processors { processor.process(block) }
                    offset += count
                }
            }
        }
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
    }
    return best
}

func trackChain() throws -> [any AudioProcessor] {
    [
        try Equalizer(.init(bands: [
            .init(.highPass, frequencyHz: 90), .init(.bell, frequencyHz: 250, q: 1.2, gainDB: -2.5),
            .init(.bell, frequencyHz: 3000, q: 1, gainDB: 2), .init(.lowShelf, frequencyHz: 150, gainDB: -1),
            .init(.highShelf, frequencyHz: 9000, gainDB: 1.5),
        ])),
        try Compressor(.init(thresholdDB: -22, ratio: 3.5, kneeDB: 6, attackMs: 5, releaseMs: 80, makeupDB: 3)),
        try Saturator(.init(driveDB: 6, mix: 0.35)),
        try Gain(.init(gainDB: -2)),
        try DeEsser(.init(thresholdDB: -28)),
        try Air(.init(frequencyHz: 11_000, gainDB: 2)),
        try StereoWidener(.init(width: 1.3)),
    ]
}

func masterChain() throws -> [any AudioProcessor] {
    [
        try Equalizer(.init(bands: [
            .init(.highPass, frequencyHz: 30), .init(.bell, frequencyHz: 400, q: 0.8, gainDB: -1), .init(.highShelf, frequencyHz: 10_000, gainDB: 1),
        ])),
        try Compressor(.init(thresholdDB: -14, ratio: 2, kneeDB: 8, attackMs: 10, releaseMs: 150)),
        try StereoWidener(.init(width: 1.15)),
        try Gain(.init(gainDB: 4)),
        try TruePeakLimiter(.init(ceilingDBTP: -1)),
        try Dither(.init(bitDepth: 24)),
    ]
}

let (left, right) = makeSignal()
if let index = CommandLine.arguments.firstIndex(of: "--write"), index + 1 < CommandLine.arguments.count {
    let writer = try AudioFileWriter(
        url: URL(fileURLWithPath: CommandLine.arguments[index + 1]), type: .wavFloat(bits: 32), sampleRate: 48_000, channelCount: 2)
    var interleaved = [Float](repeating: 0, count: 2 * frameCount)
    for n in 0..<frameCount { interleaved[2 * n] = left[n]; interleaved[2 * n + 1] = right[n] }
    try writer.write(interleaved: interleaved)
    try writer.finish()
}

let seconds = Double(frameCount) / sampleRate
if !CommandLine.arguments.contains("--meters") {
var rows: [(String, Double)] = []
let single: [(String, () throws -> any AudioProcessor)] = [
    ("equalizer (5 bands)", { try trackChain()[0] }), ("compressor", { try trackChain()[1] }),
    ("saturator (2x oversampled)", { try trackChain()[2] }), ("gain", { try trackChain()[3] }),
    ("de-esser", { try trackChain()[4] }), ("air", { try trackChain()[5] }), ("stereo widener", { try trackChain()[6] }),
    ("true-peak limiter", { try masterChain()[4] }), ("dither (24-bit)", { try masterChain()[5] }),
]
for (name, make) in single { rows.append((name, time([try make()], left: left, right: right))) }
let trackTime = time(try trackChain(), left: left, right: right)
let masterTime = time(try masterChain(), left: left, right: right)
rows.append(("TRACK CHAIN", trackTime))
rows.append(("MASTER CHAIN", masterTime))

print("processor                      ns/frame   × realtime (48 kHz, one core)")
for (name, elapsed) in rows {
    let nanoseconds = elapsed / Double(frameCount) * 1e9
    print(name.padding(toLength: 30, withPad: " ", startingAt: 0) + String(format: "%8.1f   %10.0f×", nanoseconds, seconds / elapsed))
}
print(String(format: "track-chain-seconds %.6f", trackTime))
print(String(format: "master-chain-seconds %.6f", masterTime))

// Five tracks like a session's (three mono vocals, a stereo adlib, a stereo beat): their chains
// one by one, as stereo processors (a mono stem as two equal channels), then all in the lanes
// of one `LaneChainBank`. ns per frame of the session (all five tracks).
let vocal = LaneChainBank.Track(
    channelCount: 1, matchGainDB: 3,
    equalizer: [.init(.highPass, frequencyHz: 90), .init(.bell, frequencyHz: 280, gainDB: -2.5), .init(.bell, frequencyHz: 3200, q: 0.9, gainDB: 2),
                .init(.highShelf, frequencyHz: 8000, gainDB: 1)],
    compressor: .init(thresholdDB: -20, ratio: 3.5, kneeDB: 6, attackMs: 5, releaseMs: 90, makeupDB: 1.5),
    saturator: .init(driveDB: 4, mix: 0.3), faderDB: -2, deEsser: .init(thresholdDB: -28), air: .init(frequencyHz: 11_000, gainDB: 2),
    width: 1)
var adlib = vocal
adlib.channelCount = 2
adlib.width = 1.2
let beat = LaneChainBank.Track(
    channelCount: 2, matchGainDB: -6, equalizer: [.init(.highPass, frequencyHz: 30), .init(.lowShelf, frequencyHz: 100, gainDB: 1)],
    compressor: .init(thresholdDB: -16, ratio: 2, kneeDB: 8, attackMs: 20, releaseMs: 200, detector: .rms), saturator: nil, faderDB: -1,
    deEsser: nil, air: nil, width: 1)
let sessionTracks = [vocal, vocal, vocal, adlib, beat]
func chain(_ track: LaneChainBank.Track) throws -> [any AudioProcessor] {
    var processors: [any AudioProcessor] = [try Gain(.init(gainDB: track.matchGainDB ?? 0)), try Equalizer(.init(bands: track.equalizer))]
    if let compressor = track.compressor { processors.append(try Compressor(compressor)) }
    if let saturator = track.saturator { processors.append(try Saturator(saturator)) }
    processors.append(try Gain(.init(gainDB: track.faderDB)))
    if let deEsser = track.deEsser { processors.append(try DeEsser(deEsser)) }
    if let air = track.air { processors.append(try Air(air)) }
    if track.width != 1 { processors.append(try StereoWidener(.init(width: track.width))) }
    return processors
}
let oneByOne = try sessionTracks.map { try time(chain($0), left: left, right: right) }.reduce(0, +)
var laneFrames = [SIMD8<Float>](repeating: .zero, count: frameCount)
let bankTime = try (0..<5).map { _ -> Double in
    let bank = try LaneChainBank(tracks: sessionTracks, sampleRate: sampleRate, maxFrameCount: 1600)!
    for n in 0..<frameCount {
        laneFrames[n] = SIMD8(left[n], right[n], left[n], right[n], left[n], left[n], left[n], 0)
    }
    let started = DispatchTime.now().uptimeNanoseconds
    laneFrames.withUnsafeMutableBufferPointer { frames in
        var offset = 0
        while offset < frameCount {
            let count = min(1600, frameCount - offset)
            bank.process(frames.baseAddress! + offset, frameCount: count)
            offset += count
        }
    }
    return Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
}.min()!
print()
print("five track chains (3 mono, 2 stereo)   ns/frame   × realtime (48 kHz, one core)")
for (name, elapsed) in [("one by one, stereo processors", oneByOne), ("in the lanes of one bank", bankTime)] {
    print(name.padding(toLength: 38, withPad: " ", startingAt: 0) + String(format: "%8.1f   %10.0f×", elapsed / Double(frameCount) * 1e9, seconds / elapsed))
}
}

// MARK: Meters

/// Best-of-five seconds for `body` (which sets itself up inside, outside the timing only where
/// it says so).
func timeMeter(_ body: () -> Double) -> Double {
    (0..<5).map { _ in body() }.min()!
}

func elapsed(since start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }

var interleaved = [Float](repeating: 0, count: 2 * frameCount)
for n in 0..<frameCount {
    interleaved[2 * n] = left[n]
    interleaved[2 * n + 1] = right[n]
}
let period = 1600  // one meter frame at 30 fps
var meterRows: [(String, Double)] = []
meterRows.append(("8x peak scan (both channels)", timeMeter {
    let scanners = [OversampledPeakScanner(maxFrameCount: 32_768), OversampledPeakScanner(maxFrameCount: 32_768)]
    let start = DispatchTime.now().uptimeNanoseconds
    interleaved.withUnsafeBufferPointer { samples in
        var offset = 0
        while offset < frameCount {
            let n = min(32_768, frameCount - offset)
            scanners[0].add(samples.baseAddress! + 2 * offset, count: n, stride: 2)
            scanners[1].add(samples.baseAddress! + 2 * offset + 1, count: n, stride: 2)
            offset += n
        }
    }
    return elapsed(since: start)
}))
meterRows.append(("4x true-peak meter", timeMeter {
    let meter = TruePeakMeter(maxFrameCount: period)
    let start = DispatchTime.now().uptimeNanoseconds
    left.withUnsafeBufferPointer { l in
        right.withUnsafeBufferPointer { r in
            for offset in stride(from: 0, to: frameCount, by: period) {
                meter.add(left: l.baseAddress! + offset, right: r.baseAddress! + offset, frameCount: min(period, frameCount - offset))
                _ = meter.read()
            }
        }
    }
    return elapsed(since: start)
}))
meterRows.append(("spectrum (4096 FFT, 30 fps)", timeMeter {
    let analyzer = SpectrumAnalyzer(sampleRate: sampleRate)
    var bands = [Float](repeating: 0, count: SpectrumAnalyzer.bandCount)
    let start = DispatchTime.now().uptimeNanoseconds
    left.withUnsafeBufferPointer { l in
        bands.withUnsafeMutableBufferPointer { bands in
            for offset in stride(from: 0, to: frameCount, by: period) {
                analyzer.add(UnsafeBufferPointer(rebasing: l[offset..<min(frameCount, offset + period)]))
                analyzer.spectrum(into: bands.baseAddress!)
            }
        }
    }
    return elapsed(since: start)
}))
meterRows.append(("gated loudness (engine)", timeMeter {
    let meter = GatedLoudnessMeter(sampleRate: 48_000)
    let start = DispatchTime.now().uptimeNanoseconds
    left.withUnsafeBufferPointer { l in
        right.withUnsafeBufferPointer { r in meter.add(left: l.baseAddress!, right: r.baseAddress!, frameCount: frameCount) }
    }
    return elapsed(since: start)
}))
for (name, measures) in [("libebur128 I+LRA", LoudnessMeter.Measures([.integrated, .loudnessRange])), ("libebur128 true peak", [.truePeak])] {
    meterRows.append((name, timeMeter {
        let meter = LoudnessMeter(channelCount: 2, sampleRate: 48_000, measures: measures)!
        let start = DispatchTime.now().uptimeNanoseconds
        interleaved.withUnsafeBufferPointer { meter.add(interleaved: $0.baseAddress!, frameCount: frameCount) }
        return elapsed(since: start)
    }))
}
print()
print("meter                          ns/frame   × realtime (48 kHz, one core)")
for (name, elapsed) in meterRows {
    let nanoseconds = elapsed / Double(frameCount) * 1e9
    print(name.padding(toLength: 30, withPad: " ", startingAt: 0) + String(format: "%8.1f   %10.0f×", nanoseconds, seconds / elapsed))
}

