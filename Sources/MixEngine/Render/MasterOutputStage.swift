import Foundation
import MixAnalysis
import MixDSP

/// The writing pass's second half, on its own thread: the master's meters (post-master spectrum
/// and scope, final scope, levels, true peak, loudness), the mix file (as integer codes, which
/// also go to the output's check), and the completed meter records. Fed block by block, in
/// order, by `BlockHandoff`.
final class MasterOutputStage: @unchecked Sendable {
    private let layout: FrameLayout
    private let output: MasterRenderer.Output
    private let clock: MeterClock
    private let spectrum: SpectrumAnalyzer
    private let postScope: Scope
    private let finalScope: Scope
    private let scopeScratch = ScopeScratch()
    private let loudness: GatedLoudnessMeter
    private let truePeak: TruePeakMeter
    private let quality: MasterQualityMeters
    private let codes: PCMCodes
    private let encoded: UnsafeMutablePointer<Int32>
    private let decoded: UnsafeMutablePointer<Float>
    private let mid: UnsafeMutablePointer<Float>
    private let record: UnsafeMutableRawPointer
    private let bands: UnsafeMutablePointer<Float>
    private var spectrumPowerSum = [Double](repeating: 0, count: FrameLayout.bandCount)
    private var waveform = [Float](repeating: 0, count: MasterRenderer.waveformPointCount)
    private let framesPerPoint: Int64
    private var position: Int64 = 0
    private var sums = (lr: 0.0, ll: 0.0, rr: 0.0)
    /// The highest true peak so far (linear), for the frames' running maximum.
    private var highestTruePeak: Float = 0
    /// The first error (a write that failed); later blocks are skipped.
    private(set) var failure: (any Error)?

    init(output: MasterRenderer.Output, bitDepth: Int, layout: FrameLayout, clock: MeterClock, capacity: Int) {
        self.output = output
        self.layout = layout
        self.clock = clock
        spectrum = SpectrumAnalyzer(sampleRate: Double(clock.sampleRate))
        postScope = Scope(capacity: clock.scopeCapacity)
        finalScope = Scope(capacity: clock.scopeCapacity)
        loudness = GatedLoudnessMeter(sampleRate: clock.sampleRate, measuresRange: true)
        truePeak = TruePeakMeter(maxFrameCount: capacity)
        quality = MasterQualityMeters(sampleRate: clock.sampleRate, framesPerSecond: clock.framesPerSecond, capacity: capacity)
        codes = PCMCodes(bitDepth: bitDepth)
        encoded = .allocate(capacity: 2 * capacity)
        decoded = .allocate(capacity: 2 * capacity)
        mid = .allocate(capacity: capacity)
        record = .allocate(byteCount: layout.recordBytes, alignment: 8)
        bands = .allocate(capacity: FrameLayout.bandCount)
        let points = Int64(MasterRenderer.waveformPointCount)
        framesPerPoint = max(1, (clock.totalFrameCount + points - 1) / points)
    }

    deinit {
        encoded.deallocate()
        decoded.deallocate()
        mid.deallocate()
        record.deallocate()
        bands.deallocate()
    }

    /// Meters and writes one block (one meter frame).
    func consume(_ slot: BlockHandoff.Slot) {
        guard failure == nil else { return }
        do {
            try write(slot)
        } catch {
            failure = error
        }
    }

    private func write(_ slot: BlockHandoff.Slot) throws {
        let n = slot.frameCount
        let (postLeft, postRight) = (slot.postLeft, slot.postRight)
        let (left, right) = (slot.finalLeft, slot.finalRight)
        let (squares, samplePeak) = StereoBlockLevels.measure(left: postLeft, right: postRight, frameCount: n, mid: mid)
        spectrum.add(UnsafeBufferPointer(start: mid, count: n))
        postScope.add(left: postLeft, right: postRight, frameCount: n)
        finalScope.add(left: left, right: right, frameCount: n)
        let (lr, ll, rr) = StereoBlockLevels.products(left: left, right: right, frameCount: n)
        // The overview's points this block reaches into, a stretch of frames at a time (one
        // division per stretch, not per frame).
        var i = 0
        while i < n {
            let frame = position + Int64(i)
            let point = Int(frame / framesPerPoint)
            let stretch = min(n - i, Int(Int64(point + 1) * framesPerPoint - frame))
            let peak = StereoBlockLevels.peak(left: left + i, right: right + i, frameCount: stretch)
            waveform[point] = max(waveform[point], peak)
            i += stretch
        }
        sums.lr += Double(lr)
        sums.ll += Double(ll)
        sums.rr += Double(rr)
        position += Int64(n)
        loudness.add(left: left, right: right, frameCount: n)
        truePeak.add(left: left, right: right, frameCount: n)
        quality.add(left: left, right: right, mid: mid, frameCount: n)
        codes.encode(left: left, right: right, frameCount: n, codes: encoded, decoded: decoded)
        try output.writer.write(interleavedCodes: encoded, frameCount: n)
        output.verifier.add(codes: encoded, decoded: decoded, frameCount: n)

        guard output.records.read(into: record, count: layout.recordBytes) == layout.recordBytes else {
            throw MixError.io("the meter spool ended early at frame \(slot.frame)")
        }
        let writer = FrameRecordWriter(bytes: record)
        spectrum.spectrum(into: bands)
        quality.addSpectrum(spectrum)
        writer.spectrum(bands, at: layout.postMasterSpectrumOffset)
        AverageSpectrum.accumulate(writer, at: layout.postMasterSpectrumOffset, into: &spectrumPowerSum)
        typealias Field = FrameLayout.Master
        let m = layout.masterOffset
        let rms = n > 0 ? (Double(squares) / Double(2 * n)).squareRoot() : 0
        let framePeak = truePeak.read()
        highestTruePeak = max(highestTruePeak, framePeak)
        quality.addFrame(truePeak: framePeak, shortTermLUFS: loudness.shortTermLUFS)
        writer.uint16(FrameQuantizer.centiDBUnsigned(Double(slot.limiterGainReduction.maxDB)), at: m + Field.limiterGR)
        writer.int16(FrameQuantizer.centiDB(rms > 0 ? Decibels.fromAmplitude(rms) : nil), at: m + Field.rms)
        writer.int16(FrameQuantizer.centiDB(samplePeak > 0 ? Decibels.fromAmplitude(Double(samplePeak)) : nil), at: m + Field.samplePeak)
        writer.int16(FrameQuantizer.centiDB(framePeak > 0 ? Decibels.fromAmplitude(Double(framePeak)) : nil), at: m + Field.truePeak)
        writer.int16(FrameQuantizer.centiDB(loudness.momentaryLUFS), at: m + Field.momentary)
        writer.int16(FrameQuantizer.centiDB(loudness.shortTermLUFS), at: m + Field.shortTerm)
        writer.int16(FrameQuantizer.centiDB(loudness.runningIntegratedLUFS), at: m + Field.integrated)
        writer.int16(FrameQuantizer.centiDB(loudness.loudnessRangeLU), at: m + Field.loudnessRange)
        writer.int16(
            FrameQuantizer.centiDB(highestTruePeak > 0 ? Decibels.fromAmplitude(Double(highestTruePeak)) : nil), at: m + Field.truePeakMax)
        writer.scope(postScope, scratch: scopeScratch, at: layout.scopeOffset(1))
        writer.scope(finalScope, scratch: scopeScratch, at: layout.scopeOffset(2))
        try output.frames.append(record)
        output.publish?(slot.frame, record)
    }

    /// What the stage measured over the whole song, into `measurement`.
    func complete(_ measurement: inout MasterRenderer.Measurement) {
        measurement.integratedLUFS = loudness.integratedLUFS
        measurement.postMasterSpectrumDB = AverageSpectrum.decibels(powerSum: spectrumPowerSum, count: clock.frameCount)
        measurement.waveform = waveform
        let denominator = (sums.ll * sums.rr).squareRoot()
        measurement.correlation = denominator > 0 ? sums.lr / denominator : 0
        measurement.energy = (lr: sums.lr, ll: sums.ll, rr: sums.rr, frameCount: position)
        measurement.quality = quality.finish()
    }
}
