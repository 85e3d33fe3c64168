import Foundation
import MixAnalysis
import MixDSP

/// The first pass: every track through its chain (on all cores), the blend with headroom, and
/// the master's level-independent stages (EQ → bus compressor → width). The result goes to a
/// spool of interleaved float frames with its loudness measured, so the master gain comes from
/// a measurement, not a guess; each meter frame's track and pre-master parts go to a second
/// spool for the final pass to complete.
final class BusRenderer {
    struct Result {
        /// Integrated loudness of the spooled bus (before the master gain).
        var loudnessLUFS: Double?
        var busCompressorGR: GainReductionStatistics
        var preMasterSpectrumDB: [Float]
    }

    private let tracks: [TrackRenderer]
    private let clock: MeterClock
    private let layout: FrameLayout
    private let headroomGain: Float
    private let equalizer: Equalizer?
    private let busCompressor: Compressor?
    private let widener: StereoWidener?
    private let chunkCapacity: Int
    private let concurrency: Int

    init(tracks: [TrackRenderer], recipe: MixRecipe, basic: Bool, clock: MeterClock, chunkCapacity: Int, concurrency: Int) throws {
        self.tracks = tracks
        self.clock = clock
        self.chunkCapacity = chunkCapacity
        self.concurrency = concurrency
        layout = FrameLayout(trackCount: tracks.count)
        headroomGain = Float(Decibels.toAmplitude(-recipe.blendHeadroomDB))
        if basic {
            (equalizer, busCompressor, widener) = (nil, nil, nil)
        } else {
            equalizer = recipe.eq.isEmpty ? nil : try Equalizer(Equalizer.Settings(bands: recipe.eq))
            busCompressor = try recipe.busCompressor.map { try Compressor($0) }
            widener = recipe.width == 1 ? nil : try StereoWidener(StereoWidener.Settings(width: recipe.width))
        }
        let spec = ProcessSpec(sampleRate: Double(clock.sampleRate), maxFrameCount: chunkCapacity)
        equalizer?.prepare(spec)
        busCompressor?.prepare(spec)
        widener?.prepare(spec)
    }

    /// Renders the whole song into `bus` (interleaved float frames) and `records` (one partial
    /// meter record per frame). `progress` gets the share done; `publish` each partial record.
    func run(
        bus: Spool, records: Spool, progress: (Double) -> Void, publish: ((Int, UnsafeRawPointer) -> Void)?,
        isCancelled: () -> Bool
    ) throws -> Result {
        let rate = clock.sampleRate
        let capacity = chunkCapacity
        let left = UnsafeMutablePointer<Float>.allocate(capacity: capacity)
        let right = UnsafeMutablePointer<Float>.allocate(capacity: capacity)
        let interleaved = UnsafeMutablePointer<Float>.allocate(capacity: 2 * capacity)
        let mid = UnsafeMutablePointer<Float>.allocate(capacity: capacity)
        let maxPeriods = capacity / max(1, clock.longestPeriod - 1) + 2
        let recordBuffer = UnsafeMutableRawPointer.allocate(byteCount: maxPeriods * layout.recordBytes, alignment: 8)
        let bands = UnsafeMutablePointer<Float>.allocate(capacity: FrameLayout.bandCount)
        defer {
            left.deallocate()
            right.deallocate()
            interleaved.deallocate()
            mid.deallocate()
            recordBuffer.deallocate()
            bands.deallocate()
        }
        let spectrum = SpectrumAnalyzer(sampleRate: Double(rate))
        let scope = Scope(capacity: clock.longestPeriod + 1)
        let loudness = GatedLoudnessMeter(sampleRate: rate)
        var busGR = GainReductionStatistics()
        var spectrumPowerSum = [Double](repeating: 0, count: FrameLayout.bandCount)
        let frameCount = clock.frameCount
        var nextFrame = 0
        while nextFrame < frameCount {
            if isCancelled() { throw MixError.cancelled }
            // A chunk: whole meter frames, at most `capacity` audio frames.
            let chunkStart = clock.start(of: nextFrame)
            var periodEnds: [Int] = []
            var lastFrame = nextFrame
            while lastFrame < frameCount, clock.end(of: lastFrame) - chunkStart <= Int64(capacity) {
                periodEnds.append(Int(clock.end(of: lastFrame) - chunkStart))
                lastFrame += 1
            }
            let chunkFrames = periodEnds.last!
            recordBuffer.initializeMemory(as: UInt8.self, repeating: 0, count: periodEnds.count * layout.recordBytes)
            renderTracks(periodEnds: periodEnds, records: recordBuffer)

            var periodStart = 0
            for (period, periodEnd) in periodEnds.enumerated() {
                let n = periodEnd - periodStart
                let record = FrameRecordWriter(bytes: recordBuffer + period * layout.recordBytes)
                // The blend: a plain sum in float, turned down by the recipe's headroom.
                (left + periodStart).update(repeating: 0, count: n)
                (right + periodStart).update(repeating: 0, count: n)
                for track in tracks {
                    let (trackLeft, trackRight) = track.output
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
                spectrum.add(UnsafeBufferPointer(start: mid + periodStart, count: n))
                scope.add(left: left + periodStart, right: right + periodStart, frameCount: n)

                let block = AudioBlock(left: left + periodStart, right: right + periodStart, frameCount: n)
                equalizer?.process(block)
                var periodGR: Float = 0
                if let busCompressor {
                    busCompressor.process(block)
                    periodGR = busCompressor.lastGainReduction.maxDB
                    busGR.add(busCompressor.lastGainReduction, frameCount: n)
                }
                widener?.process(block)

                spectrum.spectrum(into: bands)
                record.spectrum(bands, at: layout.preMasterSpectrumOffset)
                AverageSpectrum.accumulate(record, at: layout.preMasterSpectrumOffset, into: &spectrumPowerSum)
                record.uint16(FrameQuantizer.centiDBUnsigned(Double(periodGR)), at: layout.masterOffset)
                // The master's levels come in the final pass; until then they read "none", not 0 dB.
                for field in 2...6 { record.int16(FrameQuantizer.none, at: layout.masterOffset + 2 * field) }
                record.scope(scope.snapshot(), at: layout.scopeOffset(0))
                periodStart = periodEnd
            }
            for i in 0..<chunkFrames {
                interleaved[2 * i] = left[i]
                interleaved[2 * i + 1] = right[i]
            }
            loudness.add(left: left, right: right, frameCount: chunkFrames)
            try bus.write(interleaved, count: chunkFrames * 2 * MemoryLayout<Float>.size)
            try records.write(recordBuffer, count: periodEnds.count * layout.recordBytes)
            if let publish {
                for period in periodEnds.indices { publish(nextFrame + period, recordBuffer + period * layout.recordBytes) }
            }
            nextFrame = lastFrame
            progress(Double(chunkStart + Int64(chunkFrames)) / Double(max(1, clock.totalFrameCount)))
        }
        return Result(
            loudnessLUFS: loudness.integratedLUFS, busCompressorGR: busGR,
            preMasterSpectrumDB: AverageSpectrum.decibels(powerSum: spectrumPowerSum, count: frameCount))
    }

    /// Renders every track over the chunk, in parallel: each track writes its own output
    /// buffers and its own bytes of each record, so the workers share nothing.
    private func renderTracks(periodEnds: [Int], records: UnsafeMutableRawPointer) {
        let recordBytes = layout.recordBytes
        let layout = self.layout
        let work = { @Sendable (index: Int, track: TrackRenderer, records: UnsafeMutableRawPointer) in
            var start = 0
            for (period, end) in periodEnds.enumerated() {
                track.render(from: start, frameCount: end - start)
                track.finishPeriod(
                    into: FrameRecordWriter(bytes: records + period * recordBytes), offset: layout.trackOffset(index))
                start = end
            }
        }
        let records = UncheckedPointer(records)
        if concurrency > 1, tracks.count > 1 {
            let tracks = self.tracks
            DispatchQueue.concurrentPerform(iterations: tracks.count) { index in
                work(index, tracks[index], records.pointer)
            }
        } else {
            for (index, track) in tracks.enumerated() { work(index, track, records.pointer) }
        }
    }
}

/// A raw pointer handed to worker threads that write disjoint bytes of it.
struct UncheckedPointer: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer

    init(_ pointer: UnsafeMutableRawPointer) {
        self.pointer = pointer
    }
}
