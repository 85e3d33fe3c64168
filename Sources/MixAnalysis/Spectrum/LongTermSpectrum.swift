import Foundation

/// The long-term power spectrum of a signal (Welch's average: Hann-windowed FFT frames every half
/// frame, their bin powers averaged), read smoothed over a fraction of an octave: a whole song's
/// tonal balance, as reference matching compares two. Levels are unscaled dB: only differences
/// between two spectra measured alike mean anything.
public final class LongTermSpectrum {
    public let sampleRate: Double
    private let analyzer: SpectrumAnalyzer
    private let hop: Int
    private var sinceFrame = 0
    private var sums: [Double]
    private var frameCount = 0
    private let bands: UnsafeMutablePointer<Float>

    public init(sampleRate: Double, fftSize: Int = 4096) {
        self.sampleRate = sampleRate
        analyzer = SpectrumAnalyzer(sampleRate: sampleRate, fftSize: fftSize)
        hop = fftSize / 2
        sums = [Double](repeating: 0, count: fftSize / 2 + 1)
        bands = .allocate(capacity: SpectrumAnalyzer.bandCount)
    }

    deinit {
        bands.deallocate()
    }

    /// Adds mono samples (the caller mixes stereo to mid).
    public func add(_ samples: UnsafeBufferPointer<Float>) {
        guard let base = samples.baseAddress else { return }
        var offset = 0
        while offset < samples.count {
            let n = min(samples.count - offset, hop - sinceFrame)
            analyzer.add(UnsafeBufferPointer(start: base + offset, count: n))
            sinceFrame += n
            offset += n
            if sinceFrame == hop {
                analyzer.spectrum(into: bands)
                let powers = analyzer.lastBinPowers
                for bin in sums.indices { sums[bin] += Double(powers[bin]) }
                frameCount += 1
                sinceFrame = 0
            }
        }
    }

    /// The mean power of the bins within `octaves`/2 either side of each frequency, in dB; nil
    /// where no bin falls (or nothing was added).
    public func smoothedDB(at frequencies: [Double], octaves: Double) -> [Double?] {
        let binHz = analyzer.binHz
        let half = pow(2, octaves / 2)
        return frequencies.map { frequency in
            let low = max(1, Int((frequency / half / binHz).rounded(.up)))
            let high = min(sums.count - 1, Int((frequency * half / binHz).rounded(.down)))
            guard frameCount > 0, high >= low else { return nil }
            var power = 0.0
            for bin in low...high { power += sums[bin] }
            power /= Double((high - low + 1) * frameCount)
            return power > 0 ? 10 * log10(power) : nil
        }
    }
}
