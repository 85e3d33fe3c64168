import Foundation
import MixAnalysis
import MixDSP

/// The second pass, from the spooled bus: gain to the target → true-peak limiter → dither →
/// export. Run once to measure (nothing written) and again to write, with a corrected gain,
/// until the written loudness is on target: the limiter lowers what it is fed, so the gain is
/// found by measuring, not by formula.
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
    }

    /// Where a writing pass sends its results.
    struct Output {
        var writer: AudioFileWriter
        var frames: FrameFileWriter
        /// The first pass's partial records, one per meter frame, to complete.
        var records: Spool
        var publish: ((Int, UnsafeRawPointer) -> Void)?
    }

    static let waveformPointCount = 1000

    private let recipe: MixRecipe
    private let format: OutputFormat
    private let basic: Bool
    private let clock: MeterClock
    private let layout: FrameLayout
    private let capacity: Int

    init(recipe: MixRecipe, format: OutputFormat, basic: Bool, clock: MeterClock, layout: FrameLayout, capacity: Int) {
        self.recipe = recipe
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
        let limiter = basic ? nil : try TruePeakLimiter(recipe.limiterSettings)
        limiter?.prepare(spec)
        let dither = try Dither(Dither.Settings(bitDepth: format.bitDepth))
        dither.prepare(spec)
        let loudness = GatedLoudnessMeter(sampleRate: rate)
        let truePeak = TruePeakMeter(maxFrameCount: capacity)
        // The basic mix has no limiter: its single gain comes from an 8× scan of the plain sum.
        let scanners = basic && output == nil
            ? [OversampledPeakScanner(maxFrameCount: capacity), OversampledPeakScanner(maxFrameCount: capacity)] : []
        let left = UnsafeMutablePointer<Float>.allocate(capacity: capacity)
        let right = UnsafeMutablePointer<Float>.allocate(capacity: capacity)
        let interleaved = UnsafeMutablePointer<Float>.allocate(capacity: 2 * capacity)
        let mid = UnsafeMutablePointer<Float>.allocate(capacity: capacity)
        let record = UnsafeMutableRawPointer.allocate(byteCount: layout.recordBytes, alignment: 8)
        let bands = UnsafeMutablePointer<Float>.allocate(capacity: FrameLayout.bandCount)
        defer {
            left.deallocate()
            right.deallocate()
            interleaved.deallocate()
            mid.deallocate()
            record.deallocate()
            bands.deallocate()
        }
        let gain = Float(Decibels.toAmplitude(gainDB))
        var measurement = Measurement(gainDB: gainDB)
        bus.rewind()
        output?.records.rewind()
        var busFramesLeft = clock.totalFrameCount

        /// The next `n` bus frames through gain and limiter into left/right (silence past the end).
        func pull(_ n: Int) {
            let available = Int(min(Int64(n), busFramesLeft))
            let read = bus.read(into: interleaved, count: available * 2 * MemoryLayout<Float>.size) / (2 * MemoryLayout<Float>.size)
            busFramesLeft -= Int64(available)
            for i in 0..<read {
                left[i] = interleaved[2 * i] * gain
                right[i] = interleaved[2 * i + 1] * gain
            }
            for i in read..<n {
                left[i] = 0
                right[i] = 0
            }
            limiter?.process(AudioBlock(left: left, right: right, frameCount: n))
        }

        // The limiter looks ahead: run its latency through first and drop that output, so the
        // mix starts exactly where the stems do (leading silence is the artist's timing).
        var latency = limiter?.latencyFrames ?? 0
        while latency > 0 {
            let n = min(latency, capacity)
            pull(n)
            latency -= n
        }

        let spectrum = output == nil ? nil : SpectrumAnalyzer(sampleRate: Double(rate))
        let postScope = Scope(capacity: clock.longestPeriod + 1)
        let finalScope = Scope(capacity: clock.longestPeriod + 1)
        var spectrumPowerSum = [Double](repeating: 0, count: FrameLayout.bandCount)
        var waveform = [Float](repeating: 0, count: Self.waveformPointCount)
        let framesPerPoint = max(1, (clock.totalFrameCount + Int64(Self.waveformPointCount) - 1) / Int64(Self.waveformPointCount))
        var position: Int64 = 0
        var (sumLR, sumLL, sumRR) = (0.0, 0.0, 0.0)

        for frame in 0..<clock.frameCount {
            if frame % 16 == 0, isCancelled() { throw MixError.cancelled }
            let n = Int(clock.end(of: frame) - clock.start(of: frame))
            pull(n)
            var limiterGR: Float = 0
            if let limiter {
                limiterGR = limiter.lastGainReduction.maxDB
                measurement.limiterGR.add(limiter.lastGainReduction, frameCount: n)
            }
            if let output {
                var squares: Double = 0
                var samplePeak: Float = 0
                for i in 0..<n {
                    mid[i] = 0.5 * (left[i] + right[i])
                    squares += Double(left[i] * left[i] + right[i] * right[i])
                    samplePeak = max(samplePeak, max(abs(left[i]), abs(right[i])))
                }
                spectrum!.add(UnsafeBufferPointer(start: mid, count: n))
                postScope.add(left: left, right: right, frameCount: n)
                dither.process(AudioBlock(left: left, right: right, frameCount: n))
                finalScope.add(left: left, right: right, frameCount: n)
                var (lr, ll, rr): (Float, Float, Float) = (0, 0, 0)
                for i in 0..<n {
                    interleaved[2 * i] = left[i]
                    interleaved[2 * i + 1] = right[i]
                    lr += left[i] * right[i]
                    ll += left[i] * left[i]
                    rr += right[i] * right[i]
                    let point = Int((position + Int64(i)) / framesPerPoint)
                    waveform[point] = max(waveform[point], max(abs(left[i]), abs(right[i])))
                }
                sumLR += Double(lr)
                sumLL += Double(ll)
                sumRR += Double(rr)
                loudness.add(left: left, right: right, frameCount: n)
                truePeak.add(left: left, right: right, frameCount: n)
                try output.writer.write(interleaved: interleaved, frameCount: n)

                guard output.records.read(into: record, count: layout.recordBytes) == layout.recordBytes else {
                    throw MixError.io("the meter spool ended early at frame \(frame)")
                }
                let writer = FrameRecordWriter(bytes: record)
                spectrum!.spectrum(into: bands)
                writer.spectrum(bands, at: layout.postMasterSpectrumOffset)
                AverageSpectrum.accumulate(writer, at: layout.postMasterSpectrumOffset, into: &spectrumPowerSum)
                let m = layout.masterOffset
                let rms = n > 0 ? (squares / Double(2 * n)).squareRoot() : 0
                writer.uint16(FrameQuantizer.centiDBUnsigned(Double(limiterGR)), at: m + 2)
                writer.int16(FrameQuantizer.centiDB(rms > 0 ? Decibels.fromAmplitude(rms) : nil), at: m + 4)
                writer.int16(FrameQuantizer.centiDB(samplePeak > 0 ? Decibels.fromAmplitude(Double(samplePeak)) : nil), at: m + 6)
                let framePeak = truePeak.read()
                writer.int16(FrameQuantizer.centiDB(framePeak > 0 ? Decibels.fromAmplitude(Double(framePeak)) : nil), at: m + 8)
                writer.int16(FrameQuantizer.centiDB(loudness.momentaryLUFS), at: m + 10)
                writer.int16(FrameQuantizer.centiDB(loudness.shortTermLUFS), at: m + 12)
                writer.scope(postScope.snapshot(), at: layout.scopeOffset(1))
                writer.scope(finalScope.snapshot(), at: layout.scopeOffset(2))
                try output.frames.append(record)
                output.publish?(frame, record)
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
        progress(1)
        measurement.integratedLUFS = loudness.integratedLUFS
        if !scanners.isEmpty {
            for scanner in scanners { scanner.finish() }
            measurement.truePeakDBTP = scanners.compactMap(\.peakDBTP).max()
        }
        if output != nil {
            measurement.postMasterSpectrumDB = AverageSpectrum.decibels(powerSum: spectrumPowerSum, count: clock.frameCount)
            measurement.waveform = waveform
            let denominator = (sumLL * sumRR).squareRoot()
            measurement.correlation = denominator > 0 ? sumLR / denominator : 0
        }
        return measurement
    }
}
