import Foundation
import MixAnalysis
import MixDSP

/// The master's measures for the quality report that the frames do not already carry, taken
/// in the writing pass beside the frames' meters (on the output stage's thread): the loudness
/// of the mix summed to mono, the L/R correlation below 120 Hz in 3 s windows, the lowest
/// PSR (true peak over the last 3 s against the short-term loudness), and the long-term power
/// spectrum of the mid signal (a power spectral density, for the spectrum's slope).
final class MasterQualityMeters {
    /// What was measured over the whole song.
    struct Reading: Sendable, Equatable {
        /// BS.1770 loudness of ½(L + R) on both channels (nil: silence).
        var monoLUFS: Double?
        /// The lowest L/R correlation of the 3 s windows below 120 Hz that hold sound (nil: none).
        var lowBandWorstCorrelation: Double?
        /// The lowest PSR of the song, dB (nil: never 3 s of sound).
        var psrMinimumDB: Double?
        /// The mean power of each FFT bin of the mid signal over the song, bin `k` at `k × binHz`.
        var binPowers: [Double] = []
        var binHz = 0.0
    }

    /// The L/R correlation is read over windows this long.
    static let windowSeconds = 3.0
    /// Where "the low end" stops.
    static let lowBandHz = 120.0
    /// Windows quieter than this (RMS, dBFS) hold no sound to correlate.
    static let silentWindowDB = -60.0

    private let mono: GatedLoudnessMeter
    private var lowLeft: (Biquad, Biquad)
    private var lowRight: (Biquad, Biquad)
    private let scratchLeft: UnsafeMutablePointer<Float>
    private let scratchRight: UnsafeMutablePointer<Float>
    private let windowFrames: Int
    private var windowFilled = 0
    private var window = (lr: 0.0, ll: 0.0, rr: 0.0)
    private var worstCorrelation: Double?
    /// The true peaks (linear) of the last 3 s of meter frames, a ring.
    private var framePeaks: [Float]
    private var framePeakIndex = 0
    private var psrMinimumDB: Double?
    private var binPowerSums: [Double] = []
    private var spectrumCount = 0
    private var binHz = 0.0

    init(sampleRate: Int, framesPerSecond: Int, capacity: Int) {
        mono = GatedLoudnessMeter(sampleRate: sampleRate)
        // Fourth order (two Butterworth sections): the correlation of what is under 120 Hz.
        let lowPass = BiquadCoefficients.lowPass(cutoffHz: Self.lowBandHz, sampleRate: Double(sampleRate))
        lowLeft = (Biquad(lowPass), Biquad(lowPass))
        lowRight = (Biquad(lowPass), Biquad(lowPass))
        scratchLeft = .allocate(capacity: capacity)
        scratchRight = .allocate(capacity: capacity)
        windowFrames = Int((Self.windowSeconds * Double(sampleRate)).rounded())
        framePeaks = [Float](repeating: 0, count: max(1, Int((Self.windowSeconds * Double(framesPerSecond)).rounded())))
    }

    deinit {
        scratchLeft.deallocate()
        scratchRight.deallocate()
    }

    /// Adds one meter frame's block: the final `left`/`right` and their `mid`, ½(L + R).
    func add(left: UnsafePointer<Float>, right: UnsafePointer<Float>, mid: UnsafePointer<Float>, frameCount n: Int) {
        mono.add(left: mid, right: mid, frameCount: n)
        scratchLeft.update(from: left, count: n)
        scratchRight.update(from: right, count: n)
        lowLeft.0.process(UnsafeMutableBufferPointer(start: scratchLeft, count: n))
        lowLeft.1.process(UnsafeMutableBufferPointer(start: scratchLeft, count: n))
        lowRight.0.process(UnsafeMutableBufferPointer(start: scratchRight, count: n))
        lowRight.1.process(UnsafeMutableBufferPointer(start: scratchRight, count: n))
        var offset = 0
        while offset < n {
            let stretch = min(n - offset, windowFrames - windowFilled)
            let (lr, ll, rr) = StereoBlockLevels.products(left: scratchLeft + offset, right: scratchRight + offset, frameCount: stretch)
            window.lr += Double(lr)
            window.ll += Double(ll)
            window.rr += Double(rr)
            windowFilled += stretch
            offset += stretch
            if windowFilled == windowFrames { closeWindow() }
        }
    }

    /// After a meter frame: its true peak (linear) and the short-term loudness at its end.
    func addFrame(truePeak: Float, shortTermLUFS: Double?) {
        framePeaks[framePeakIndex] = truePeak
        framePeakIndex = (framePeakIndex + 1) % framePeaks.count
        guard let shortTermLUFS, shortTermLUFS > -70 else { return }
        let peak = framePeaks.max() ?? 0
        guard peak > 0 else { return }
        let psr = Decibels.fromAmplitude(Double(peak)) - shortTermLUFS
        psrMinimumDB = min(psrMinimumDB ?? psr, psr)
    }

    /// After a spectrum was taken: the analyser's bin powers.
    func addSpectrum(_ analyzer: SpectrumAnalyzer) {
        let powers = analyzer.lastBinPowers
        if binPowerSums.isEmpty {
            binPowerSums = [Double](repeating: 0, count: powers.count)
            binHz = analyzer.binHz
        }
        for (bin, power) in powers.enumerated() { binPowerSums[bin] += Double(power) }
        spectrumCount += 1
    }

    private func closeWindow() {
        let energy = (window.ll + window.rr) / Double(2 * windowFilled)
        if energy > 0, Decibels.fromAmplitude(energy.squareRoot()) > Self.silentWindowDB {
            let denominator = (window.ll * window.rr).squareRoot()
            let correlation = denominator > 0 ? window.lr / denominator : 0
            worstCorrelation = min(worstCorrelation ?? correlation, correlation)
        }
        window = (0, 0, 0)
        windowFilled = 0
    }

    /// The whole song's reading (a last window shorter than 3 s counts when it is at least 1 s).
    func finish() -> Reading {
        if windowFilled >= windowFrames / 3 { closeWindow() }
        return Reading(
            monoLUFS: mono.integratedLUFS, lowBandWorstCorrelation: worstCorrelation, psrMinimumDB: psrMinimumDB,
            binPowers: binPowerSums.map { $0 / Double(max(1, spectrumCount)) }, binHz: binHz)
    }
}
