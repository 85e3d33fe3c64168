import Foundation
import MixAnalysis
import MixDSP

/// The blend and the head of the master chain, run chunk by chunk on the bus queue: the tracks
/// summed in float and turned down by the recipe's headroom, the pre-master meters, then the
/// master's EQ → bus compressor → width (`MasterChain`), the bus's loudness, and the spool. Its state is touched only
/// by that queue (hence `@unchecked Sendable`).
final class BusStage: @unchecked Sendable {
    private let tracks: [TrackRenderer]
    private let layout: FrameLayout
    private let headroomGain: Float
    private let master: MasterChain
    private let left: UnsafeMutablePointer<Float>
    private let right: UnsafeMutablePointer<Float>
    private let interleaved: UnsafeMutablePointer<Float>
    private let mid: UnsafeMutablePointer<Float>
    private let bands: UnsafeMutablePointer<Float>
    private let spectrum: SpectrumAnalyzer
    private let scope: Scope
    private let scopeScratch = ScopeScratch()
    private let loudness: GatedLoudnessMeter
    private let balance: BalanceMeters
    private var busGR = GainReductionStatistics()
    private var spectrumPowerSum = [Double](repeating: 0, count: FrameLayout.bandCount)

    init(tracks: [TrackRenderer], recipe: MixRecipe, basic: Bool, clock: MeterClock, layout: FrameLayout, capacity: Int) throws {
        self.tracks = tracks
        self.layout = layout
        headroomGain = Float(Decibels.toAmplitude(-recipe.blendHeadroomDB))
        // The head only: its gain, limiter and dither belong to the master passes.
        master = try MasterChain(
            recipe: recipe, basic: basic, gainDB: 0, bitDepth: 24,
            spec: ProcessSpec(sampleRate: Double(clock.sampleRate), maxFrameCount: capacity))
        left = .allocate(capacity: capacity)
        right = .allocate(capacity: capacity)
        interleaved = .allocate(capacity: 2 * capacity)
        mid = .allocate(capacity: capacity)
        bands = .allocate(capacity: FrameLayout.bandCount)
        spectrum = SpectrumAnalyzer(sampleRate: Double(clock.sampleRate))
        scope = Scope(capacity: clock.scopeCapacity)
        loudness = GatedLoudnessMeter(sampleRate: clock.sampleRate)
        balance = BalanceMeters(roles: tracks.map(\.role), sampleRate: clock.sampleRate, capacity: capacity)
    }

    deinit {
        left.deallocate()
        right.deallocate()
        interleaved.deallocate()
        mid.deallocate()
        bands.deallocate()
    }

    /// Blends the tracks' output set `slot` over a chunk of meter periods (`periodEnds`, frames
    /// from the chunk's start), fills the records' pre-master and bus parts, and appends the
    /// bus to `bus`.
    func blend(slot: Int, periodEnds: [Int], records: UnsafeMutableRawPointer, bus: Spool) throws {
        var periodStart = 0
        for (period, periodEnd) in periodEnds.enumerated() {
            let n = periodEnd - periodStart
            let record = FrameRecordWriter(bytes: records + period * layout.recordBytes)
            // The blend: a plain sum in float, turned down by the recipe's headroom.
            (left + periodStart).update(repeating: 0, count: n)
            (right + periodStart).update(repeating: 0, count: n)
            for track in tracks {
                let (trackLeft, trackRight) = track.output(slot)
                for i in periodStart..<periodEnd {
                    left[i] += trackLeft[i]
                    right[i] += trackRight[i]
                }
            }
            for i in periodStart..<periodEnd {
                left[i] *= headroomGain
                right[i] *= headroomGain
                mid[i] = 0.5 * (left[i] + right[i])
            }
            balance.add(
                tracks: tracks, slot: slot, from: periodStart, to: periodEnd, mix: (UnsafePointer(left), UnsafePointer(right)),
                gain: headroomGain)
            spectrum.add(UnsafeBufferPointer(start: mid + periodStart, count: n))
            scope.add(left: left + periodStart, right: right + periodStart, frameCount: n)

            let block = AudioBlock(left: left + periodStart, right: right + periodStart, frameCount: n)
            master.process(block, from: .equalizer, through: .width)
            var periodGR: Float = 0
            if let busCompressor = master.busCompressor {
                periodGR = busCompressor.lastGainReduction.maxDB
                busGR.add(busCompressor.lastGainReduction, frameCount: n)
            }

            spectrum.spectrum(into: bands)
            record.spectrum(bands, at: layout.preMasterSpectrumOffset)
            AverageSpectrum.accumulate(record, at: layout.preMasterSpectrumOffset, into: &spectrumPowerSum)
            record.uint16(FrameQuantizer.centiDBUnsigned(Double(periodGR)), at: layout.masterOffset + FrameLayout.Master.busCompressorGR)
            // The master's levels come in the final pass; until then they read "none", not 0 dB.
            for field in FrameLayout.Master.levelFields { record.int16(FrameQuantizer.none, at: layout.masterOffset + field) }
            record.scope(scope, scratch: scopeScratch, at: layout.scopeOffset(0))
            periodStart = periodEnd
        }
        let chunkFrames = periodStart
        for i in 0..<chunkFrames {
            interleaved[2 * i] = left[i]
            interleaved[2 * i + 1] = right[i]
        }
        loudness.add(left: left, right: right, frameCount: chunkFrames)
        try bus.write(interleaved, count: chunkFrames * 2 * MemoryLayout<Float>.size)
    }

    /// What the pass measured, once every chunk is blended, with the tracks' loudness.
    func result(frameCount: Int, trackLoudnessLUFS: [Double?]) -> BusRenderer.Result {
        BusRenderer.Result(
            loudnessLUFS: loudness.integratedLUFS, trackLoudnessLUFS: trackLoudnessLUFS, balance: balance.reading,
            busCompressorGR: busGR,
            preMasterSpectrumDB: AverageSpectrum.decibels(powerSum: spectrumPowerSum, count: frameCount))
    }
}
