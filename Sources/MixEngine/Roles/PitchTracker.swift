import MixDSP

/// A light fundamental-frequency tracker (the YIN difference function, A. de Cheveigné and
/// H. Kawahara, 2002) on a signal decimated to about 8 kHz, one estimate per hop. It tells a
/// double (the lead's pitch) from a harmony (a third or fifth away); it is no tuner.
final class PitchTracker {
    /// Lowest and highest fundamental searched, in Hz (the range of sung and rapped voices).
    static let minimumHz = 70.0
    static let maximumHz = 1000.0
    /// YIN's aperiodicity threshold: below it a window counts as voiced.
    private static let voicedThreshold: Float = 0.15
    /// Windows quieter than this (RMS) count as silent.
    private static let silenceRMS: Float = 0.003

    private(set) var track: [Float] = []
    private let decimation: Int
    private let decimatedRate: Double
    private var antiAlias1: Biquad
    private var antiAlias2: Biquad
    private var window: [Float]
    private var fill = 0
    private var phase = 0
    private let minimumLag: Int
    private let maximumLag: Int
    private var difference: [Float]

    private var scratch: [Float]

    init(sampleRate: Int, hopFrameCount: Int, maxFrameCount: Int) {
        scratch = [Float](repeating: 0, count: maxFrameCount)
        decimation = max(1, sampleRate / 8000)
        decimatedRate = Double(sampleRate) / Double(decimation)
        let cutoff = min(1500, decimatedRate * 0.4)
        antiAlias1 = Biquad(.lowPass(cutoffHz: cutoff, sampleRate: Double(sampleRate)))
        antiAlias2 = Biquad(.lowPass(cutoffHz: cutoff, sampleRate: Double(sampleRate)))
        window = [Float](repeating: 0, count: max(1, hopFrameCount / decimation))
        minimumLag = Int(decimatedRate / Self.maximumHz)
        maximumLag = min(window.count / 2, Int(decimatedRate / Self.minimumHz))
        difference = [Float](repeating: 0, count: maximumLag + 1)
    }

    /// Takes mono samples at the source rate.
    func add(_ samples: UnsafeBufferPointer<Float>) {
        precondition(samples.count <= scratch.count)
        scratch.withUnsafeMutableBufferPointer { scratch in
            // Both sections in one loop: their chains overlap (the same output as two passes).
            var (first, second) = (antiAlias1, antiAlias2)
            for index in samples.indices { scratch[index] = second.process(sample: first.process(sample: samples[index])) }
            (antiAlias1, antiAlias2) = (first, second)
        }
        for index in 0..<samples.count {
            let filtered = scratch[index]
            phase += 1
            guard phase == decimation else { continue }
            phase = 0
            window[fill] = filtered
            fill += 1
            if fill == window.count {
                track.append(estimate())
                fill = 0
            }
        }
    }

    private func estimate() -> Float {
        let count = window.count
        var energy: Float = 0
        for sample in window { energy += sample * sample }
        guard (energy / Float(count)).squareRoot() > Self.silenceRMS, maximumLag > minimumLag + 2 else { return 0 }
        let span = count - maximumLag
        return window.withUnsafeBufferPointer { x in
            difference.withUnsafeMutableBufferPointer { d in
                var runningSum: Float = 0
                d[0] = 1
                let base = UnsafeRawPointer(x.baseAddress!)
                for lag in 1...maximumLag {
                    // Eight partial sums: a single running sum would be one long chain of adds.
                    var partial = SIMD8<Float>.zero
                    var j = 0
                    while j + 8 <= span {
                        let delta = base.loadUnaligned(fromByteOffset: 4 * j, as: SIMD8<Float>.self)
                            - base.loadUnaligned(fromByteOffset: 4 * (j + lag), as: SIMD8<Float>.self)
                        partial += delta * delta
                        j += 8
                    }
                    var sum = partial.sum()
                    while j < span {
                        let delta = x[j] - x[j + lag]
                        sum += delta * delta
                        j += 1
                    }
                    runningSum += sum
                    // Cumulative-mean-normalised difference (YIN step 3).
                    d[lag] = runningSum > 0 ? sum * Float(lag) / runningSum : 1
                }
                var lag = minimumLag
                while lag < maximumLag {
                    if d[lag] < Self.voicedThreshold {
                        while lag + 1 <= maximumLag, d[lag + 1] < d[lag] { lag += 1 }
                        return Float(decimatedRate) / Float(lag)
                    }
                    lag += 1
                }
                return 0
            }
        }
    }
}
