import Foundation
import MixAnalysis
import MixDSP

/// The second pass, from the spooled bus: the tail of the master chain (`MasterChain`: gain to
/// the target → true-peak limiter → dither) → export. Run once to measure (nothing written) and
/// again to write, with a corrected gain, until the written loudness is on target: the limiter
/// lowers what it is fed, so the gain is found by measuring, not by formula.
final class MasterRenderer {
    /// What one pass measured on its output.
    struct Measurement {
        var gainDB: Double
        var integratedLUFS: Double?
        /// Measured only by a basic-mode probe (its gain keeps the peak under the ceiling).
        var truePeakDBTP: Double?
        var limiterGR = GainReductionStatistics()
        var postMasterSpectrumDB: [Float] = []
        var waveform: [Float] = []
        /// L/R correlation of the whole written mix (−1…+1; 0 for silence).
        var correlation: Double = 0
        /// Σ LR, Σ L², Σ R² of the whole written mix, over its frames (the report's width and crest).
        var energy = (lr: 0.0, ll: 0.0, rr: 0.0, frameCount: Int64(0))
        /// The report's other measures of the written mix.
        var quality = MasterQualityMeters.Reading()
    }

    /// Where a writing pass sends its results.
    struct Output {
        var writer: AudioFileWriter
        var frames: FrameFileWriter
        /// Measures what is written, as it is written.
        var verifier: OutputVerifier
        /// The first pass's partial records, one per meter frame, to complete.
        var records: Spool
        var publish: ((Int, UnsafeRawPointer) -> Void)?
    }

    static let waveformPointCount = 1000

    let recipe: MixRecipe
    let format: OutputFormat
    let basic: Bool
    let clock: MeterClock
    private let layout: FrameLayout
    let capacity: Int

    /// The reference match EQ the passes run before the gain (empty: none).
    let matchBands: [Equalizer.Band]

    init(
        recipe: MixRecipe, format: OutputFormat, basic: Bool, clock: MeterClock, layout: FrameLayout, capacity: Int,
        matchBands: [Equalizer.Band] = []
    ) {
        self.recipe = recipe
        self.matchBands = matchBands
        self.format = format
        self.basic = basic
        self.clock = clock
        self.layout = layout
        self.capacity = max(capacity, clock.longestPeriod)
    }

    /// One pass over `bus` at `gainDB`. With `output`, writes the mix and completes the frames;
    /// without, only measures integrated loudness (and true peak in basic mode).
    func run(
        gainDB: Double, bus: Spool, output: Output?, progress: (Double) -> Void, isCancelled: () -> Bool
    ) throws -> Measurement {
        let rate = clock.sampleRate
        let spec = ProcessSpec(sampleRate: Double(rate), maxFrameCount: capacity)
        let loudness = GatedLoudnessMeter(sampleRate: rate)
        // The basic mix has no limiter: its single gain comes from an 8× scan of the plain sum.
        let scanners = basic && output == nil
            ? [OversampledPeakScanner(maxFrameCount: capacity), OversampledPeakScanner(maxFrameCount: capacity)] : []
        var measurement = Measurement(gainDB: gainDB)
        bus.rewind()
        output?.records.rewind()
        let master = try MasterChain(
            recipe: recipe, basic: basic, gainDB: gainDB, bitDepth: format.bitDepth, spec: spec, matchBands: matchBands)
        let source = LimitedBus(bus: bus, from: 0, totalFrameCount: clock.totalFrameCount, master: master, capacity: capacity)
        let (left, right) = (source.left, source.right)

        let stage = output.map {
            MasterOutputStage(output: $0, bitDepth: format.bitDepth, layout: layout, clock: clock, capacity: capacity)
        }
        let handoff = BlockHandoff(capacity: capacity)
        let consumer = DispatchGroup()
        if let stage {
            // A queue of its own: this block runs the whole pass, and must not hold one of the
            // global queue's few threads that other work waits for.
            DispatchQueue(label: "mixdown.master.output").async(group: consumer) { handoff.consume(stage.consume) }
        }
        var position: Int64 = 0
        do {
            for frame in 0..<clock.frameCount {
                if frame % 16 == 0, isCancelled() { throw MixError.cancelled }
                let n = Int(clock.end(of: frame) - clock.start(of: frame))
                source.pull(n)
                if let reduction = source.limiterGainReduction { measurement.limiterGR.add(reduction, frameCount: n) }
                if stage != nil {
                    handoff.produce { slot in
                        slot.frameCount = n
                        slot.frame = frame
                        slot.limiterGainReduction = source.limiterGainReduction ?? GainReductionReadout()
                        slot.postLeft.update(from: left, count: n)
                        slot.postRight.update(from: right, count: n)
                        master.process(AudioBlock(left: left, right: right, frameCount: n), from: .dither, through: .dither)
                        slot.finalLeft.update(from: left, count: n)
                        slot.finalRight.update(from: right, count: n)
                    }
                } else {
                    loudness.add(left: left, right: right, frameCount: n)
                    if !scanners.isEmpty {
                        scanners[0].add(left, count: n)
                        scanners[1].add(right, count: n)
                    }
                }
                position += Int64(n)
                if frame % 32 == 0 { progress(Double(position) / Double(max(1, clock.totalFrameCount))) }
            }
        } catch {
            if stage != nil {
                handoff.finish()
                consumer.wait()
            }
            throw error
        }
        if let stage {
            handoff.finish()
            consumer.wait()
            if let failure = stage.failure { throw failure }
            stage.complete(&measurement)
        } else {
            measurement.integratedLUFS = loudness.integratedLUFS
        }
        progress(1)
        if !scanners.isEmpty {
            for scanner in scanners { scanner.finish() }
            measurement.truePeakDBTP = scanners.compactMap(\.peakDBTP).max()
        }
        return measurement
    }
}
