import Foundation
import MixAnalysis
import MixDSP

/// One stem of the render, block by block: reads it conformed to the session into its input
/// buffers (its chain, in the lanes of a `TrackBanks`, takes it from there into its output
/// buffers) and keeps its meters (level, gain reduction, spectrum; its loudness is measured with
/// the other tracks' in a `GatedLoudnessBank`). Each renderer is used by one thread at a time
/// (the render loop hands whole chunks over), hence `@unchecked Sendable`.
final class TrackRenderer: @unchecked Sendable {
    let stem: StemReport
    let role: Role
    let matchGainDB: Double
    /// The user's own gain on the stem as the fader applies it (within the fader's range).
    let userGainDB: Double
    let chain: TrackChain
    private let reader: ConformedStemReader
    /// Two sets of input buffers (one chunk is read while the chains run the one before) and two
    /// of output buffers (the blend reads one chunk while the next is rendered).
    private let inputs: [(left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>)]
    private let buffers: [(left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>)]
    private let mid: UnsafeMutablePointer<Float>
    private let spectrum: SpectrumAnalyzer
    private let maxFrameCount: Int

    // The current meter period.
    private var periodSquares: Double = 0
    private var periodSamples = 0
    private var periodPeak: Float = 0
    private var periodCompressorGR: Float = 0
    private var periodDeEsserGR: Float = 0
    // The whole song.
    private(set) var compressorGR = GainReductionStatistics()
    private(set) var deEsserGR = GainReductionStatistics()
    private var spectrumPowerSum = [Double](repeating: 0, count: SpectrumAnalyzer.bandCount)
    private var spectrumCount = 0
    private var bands = [Float](repeating: 0, count: SpectrumAnalyzer.bandCount)

    init(
        stem: StemReport, url: URL, preset: RolePreset, userGainDB: Double, basic: Bool,
        sessionRate: Int, sessionFrameCount: Int64, maxFrameCount: Int
    ) throws {
        self.stem = stem
        role = stem.role.role
        // A stem with no measurable loudness (silence, under 400 ms) is left at its level.
        let match = stem.loudnessLUFS.map { preset.targetLUFS - $0 } ?? 0
        matchGainDB = basic ? 0 : max(-40, min(36, match))
        chain = TrackChain(
            preset: preset, matchGainDB: matchGainDB, userGainDB: userGainDB, basic: basic,
            channelCount: stem.channelCount == 1 ? 1 : 2)
        self.userGainDB = chain.faderDB - preset.gainDB
        reader = try ConformedStemReader(
            url: url, sourceFrameCount: stem.frameCount ?? 0, sessionRate: sessionRate, sessionFrameCount: sessionFrameCount)
        self.maxFrameCount = maxFrameCount
        buffers = (0..<2).map { _ in (UnsafeMutablePointer<Float>.allocate(capacity: maxFrameCount), .allocate(capacity: maxFrameCount)) }
        inputs = (0..<2).map { _ in (UnsafeMutablePointer<Float>.allocate(capacity: maxFrameCount), .allocate(capacity: maxFrameCount)) }
        mid = .allocate(capacity: maxFrameCount)
        spectrum = SpectrumAnalyzer(sampleRate: Double(sessionRate))
    }

    deinit {
        for buffer in buffers + inputs {
            buffer.left.deallocate()
            buffer.right.deallocate()
        }
        mid.deallocate()
    }

    /// Input buffer set `slot` (0 or 1): what `read(slot:…)` wrote there.
    func input(_ slot: Int) -> (left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>) {
        inputs[slot]
    }

    /// Output buffer set `slot` (0 or 1): the chain's output, metered and blended.
    func output(_ slot: Int) -> (left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>) {
        buffers[slot]
    }

    /// Reads the next `frameCount` frames, conformed, into input set `slot` at `offset`
    /// (silence past the stem's end).
    func read(slot: Int, from offset: Int, frameCount: Int) {
        precondition(offset >= 0 && offset + frameCount <= maxFrameCount)
        let left = inputs[slot].left + offset
        let right = inputs[slot].right + offset
        let read = reader.read(left: left, right: right, frameCount: frameCount)
        if read < frameCount {
            (left + read).update(repeating: 0, count: frameCount - read)
            (right + read).update(repeating: 0, count: frameCount - read)
        }
    }

    /// Meters `frameCount` processed frames of output set `slot` at `offset`, with the chain's
    /// gain reductions over them.
    func meter(
        slot: Int, from offset: Int, frameCount: Int, compressorGR: GainReductionReadout?, deEsserGR: GainReductionReadout?
    ) {
        let left = buffers[slot].left + offset
        let right = buffers[slot].right + offset
        if let compressorGR {
            periodCompressorGR = max(periodCompressorGR, compressorGR.maxDB)
            self.compressorGR.add(compressorGR, frameCount: frameCount)
        }
        if let deEsserGR {
            periodDeEsserGR = max(periodDeEsserGR, deEsserGR.maxDB)
            self.deEsserGR.add(deEsserGR, frameCount: frameCount)
        }
        let levels = StereoBlockLevels.measure(left: left, right: right, frameCount: frameCount, mid: mid)
        periodSquares += Double(levels.sumOfSquares)
        periodSamples += 2 * frameCount
        periodPeak = max(periodPeak, levels.peak)
        spectrum.add(UnsafeBufferPointer(start: mid, count: frameCount))
    }

    /// Writes this track's meters for the period just ended into `record` and starts a new one.
    func finishPeriod(into record: FrameRecordWriter, offset: Int) {
        let rms = periodSamples > 0 ? (periodSquares / Double(periodSamples)).squareRoot() : 0
        typealias Field = FrameLayout.Track
        record.int16(FrameQuantizer.centiDB(rms > 0 ? Decibels.fromAmplitude(rms) : nil), at: offset + Field.rms)
        record.int16(FrameQuantizer.centiDB(periodPeak > 0 ? Decibels.fromAmplitude(Double(periodPeak)) : nil), at: offset + Field.peak)
        record.uint16(FrameQuantizer.centiDBUnsigned(Double(periodCompressorGR)), at: offset + Field.compressorGR)
        record.uint16(FrameQuantizer.centiDBUnsigned(Double(periodDeEsserGR)), at: offset + Field.deEsserGR)
        bands.withUnsafeMutableBufferPointer { bands in
            spectrum.spectrum(into: bands.baseAddress!)
            record.spectrum(bands.baseAddress!, at: offset + Field.spectrum)
            AverageSpectrum.accumulate(record, at: offset + Field.spectrum, into: &spectrumPowerSum)
        }
        spectrumCount += 1
        periodSquares = 0
        periodSamples = 0
        periodPeak = 0
        periodCompressorGR = 0
        periodDeEsserGR = 0
    }

    /// The whole song's average spectrum (power mean of the frames), dB per band.
    var averageSpectrumDB: [Float] {
        AverageSpectrum.decibels(powerSum: spectrumPowerSum, count: spectrumCount)
    }
}

/// Gain reduction over a whole song: the frame-weighted mean and the maximum, dB.
struct GainReductionStatistics: Sendable {
    private var weightedSum: Double = 0
    private var frames = 0
    private(set) var maxDB: Double = 0

    mutating func add(_ readout: GainReductionReadout, frameCount: Int) {
        weightedSum += Double(readout.meanDB) * Double(frameCount)
        frames += frameCount
        maxDB = max(maxDB, Double(readout.maxDB))
    }

    var meanDB: Double { frames > 0 ? weightedSum / Double(frames) : 0 }
}

/// A spectrum averaged over a song from per-frame dB bands.
enum AverageSpectrum {
    /// Adds the power of a record's quantized spectrum at `offset` to `sums`.
    static func accumulate(_ record: FrameRecordWriter, at offset: Int, into sums: inout [Double]) {
        let power = FrameQuantizer.spectrumPower
        for band in 0..<sums.count {
            sums[band] += power[Int(record.bytes.load(fromByteOffset: offset + band, as: UInt8.self))]
        }
    }

    static func decibels(powerSum: [Double], count: Int) -> [Float] {
        powerSum.map { sum in
            guard count > 0, sum > 0 else { return SpectrumAnalyzer.floorDB }
            return max(SpectrumAnalyzer.floorDB, Float(10 * log10(sum / Double(count))))
        }
    }
}
