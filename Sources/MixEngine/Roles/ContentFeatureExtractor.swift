import Foundation
import MixDSP

/// Accumulates `ContentFeatures` from a stem's audio as it streams past, in fixed memory
/// apart from the pitch track (20 values a second).
final class ContentFeatureExtractor {
    /// Length of the analysis windows.
    static let hopSeconds = 0.05
    private static let levelHistogramFloorDB = -120.0
    private static let activityRangeDB = 30.0

    private let hopFrameCount: Int
    private var lowPass: Biquad
    private var lowPass2: Biquad
    private var highPass: Biquad
    private var highPass2: Biquad
    private var mono: [Float]
    private var low: [Float]
    private var high: [Float]

    private var totalEnergy = 0.0
    private var lowEnergy = 0.0
    private var highEnergy = 0.0
    private var hopEnergy = 0.0
    private var hopFill = 0
    /// Window levels in 1 dB bins from −120 dB: percentiles without keeping every window.
    private var levelHistogram = [Int](repeating: 0, count: 200)
    private var hopCount = 0
    private let pitchTracker: PitchTracker?

    /// `tracksPitch` costs about a tenth of real time; only stems whose role is guessed need it.
    init(sampleRate: Int, maxFrameCount: Int, tracksPitch: Bool) {
        let rate = Double(sampleRate)
        hopFrameCount = max(1, Int(Double(sampleRate) * Self.hopSeconds))
        // Two cascaded second-order sections: 24 dB/octave keeps a voice's fundamental out.
        lowPass = Biquad(.lowPass(cutoffHz: 150, sampleRate: rate))
        lowPass2 = Biquad(.lowPass(cutoffHz: 150, sampleRate: rate))
        let highCutoff = min(7000, rate * 0.4)
        highPass = Biquad(.highPass(cutoffHz: highCutoff, sampleRate: rate))
        highPass2 = Biquad(.highPass(cutoffHz: highCutoff, sampleRate: rate))
        mono = [Float](repeating: 0, count: maxFrameCount)
        low = mono
        high = mono
        pitchTracker = tracksPitch
            ? PitchTracker(sampleRate: sampleRate, hopFrameCount: hopFrameCount, maxFrameCount: maxFrameCount) : nil
    }

    /// Takes `frameCount` interleaved frames of `channelCount` channels.
    func add(interleaved: UnsafePointer<Float>, frameCount: Int, channelCount: Int) {
        precondition(frameCount <= mono.count)
        let scale = 1 / Float(channelCount)
        mono.withUnsafeMutableBufferPointer { mono in
            for frame in 0..<frameCount {
                var sum: Float = 0
                for channel in 0..<channelCount {
                    let sample = interleaved[frame * channelCount + channel]
                    sum += sample.isFinite ? sample : 0
                }
                mono[frame] = sum * scale
            }
            let block = UnsafeMutableBufferPointer(rebasing: mono[0..<frameCount])
            pitchTracker?.add(UnsafeBufferPointer(block))
            low.withUnsafeMutableBufferPointer { low in
                high.withUnsafeMutableBufferPointer { high in
                    // The four filters in one loop (their chains overlap; the same output as
                    // four passes, in a quarter of the time).
                    var (low1, low2, high1, high2) = (lowPass, lowPass2, highPass, highPass2)
                    for frame in 0..<frameCount {
                        let x = mono[frame]
                        low[frame] = low2.process(sample: low1.process(sample: x))
                        high[frame] = high2.process(sample: high1.process(sample: x))
                    }
                    (lowPass, lowPass2, highPass, highPass2) = (low1, low2, high1, high2)
                    accumulate(mono: mono, low: low, high: high, frameCount: frameCount)
                }
            }
        }
    }

    private func accumulate(
        mono: UnsafeMutableBufferPointer<Float>, low: UnsafeMutableBufferPointer<Float>,
        high: UnsafeMutableBufferPointer<Float>, frameCount: Int
    ) {
        for frame in 0..<frameCount {
            let x = Double(mono[frame])
            let energy = x * x
            totalEnergy += energy
            lowEnergy += Double(low[frame] * low[frame])
            highEnergy += Double(high[frame] * high[frame])
            hopEnergy += energy
            hopFill += 1
            if hopFill == hopFrameCount {
                closeHop()
            }
        }
    }

    private func closeHop() {
        let meanSquare = hopEnergy / Double(hopFill)
        let levelDB = Decibels.fromAmplitude(meanSquare.squareRoot(), floorDB: Self.levelHistogramFloorDB)
        let bin = min(levelHistogram.count - 1, max(0, Int(levelDB - Self.levelHistogramFloorDB)))
        levelHistogram[bin] += 1
        hopCount += 1
        hopEnergy = 0
        hopFill = 0
    }

    /// The features of everything added so far.
    func finish() -> ContentFeatures {
        guard totalEnergy > 0, hopCount > 0 else {
            return ContentFeatures(lowBandShare: 0, highBandShare: 0, activity: 0, pitchTrackHz: pitchTracker?.track ?? [])
        }
        // The loud level is the 95th percentile window; "active" is within 30 dB of it.
        var seen = 0
        var loudBin = 0
        for (bin, count) in levelHistogram.enumerated() {
            seen += count
            if Double(seen) >= 0.95 * Double(hopCount) {
                loudBin = bin
                break
            }
        }
        let activeFrom = max(1, loudBin - Int(Self.activityRangeDB))
        let activeCount = levelHistogram[activeFrom...].reduce(0, +)
        return ContentFeatures(
            lowBandShare: lowEnergy / totalEnergy, highBandShare: highEnergy / totalEnergy,
            activity: Double(activeCount) / Double(hopCount), pitchTrackHz: pitchTracker?.track ?? [])
    }
}
