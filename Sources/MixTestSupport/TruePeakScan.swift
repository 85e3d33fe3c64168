import CFFTW3
import Foundation

/// An independent true-peak measurement for tests: the whole signal is interpolated 8× by
/// zero-padding its spectrum (ideal band-limited interpolation, FFTW in double precision),
/// with silence added around it so the transform's wrap-around cannot create peaks.
/// Nothing here shares code with the product's detector.
public enum TruePeakScan {
    private static let planner = NSLock()

    /// The true peak of a long signal, scanned in overlapping stretches so memory stays modest:
    /// each stretch carries `margin` samples of real context on both sides, and only its middle
    /// counts (the ringing of a cut edge has died down `margin` samples in).
    public static func dBTPChunked(_ samples: [Float], chunk: Int = 1 << 18, margin: Int = 8192) -> Double {
        guard samples.count > chunk + 2 * margin else { return dBTP(samples) }
        var highest = -Double.infinity
        var start = 0
        while start < samples.count {
            let end = min(samples.count, start + chunk)
            let from = max(0, start - margin), to = min(samples.count, end + margin)
            highest = max(highest, dBTP(Array(samples[from..<to]), counting: (start - from)..<(end - from)))
            start = end
        }
        return highest
    }

    /// The highest inter-sample peak of `samples`, in dBTP; with `counting`, only the peaks
    /// within those sample indices count.
    public static func dBTP(_ samples: [Float], oversampling: Int = 8, counting: Range<Int>? = nil) -> Double {
        let padding = 256
        let n = samples.count + 2 * padding
        let m = n * oversampling
        let time = fftw_alloc_real(n)!
        let spectrum = fftw_alloc_complex(n / 2 + 1)!
        let upsampledSpectrum = fftw_alloc_complex(m / 2 + 1)!
        let upsampled = fftw_alloc_real(m)!
        defer {
            fftw_free(time); fftw_free(spectrum); fftw_free(upsampledSpectrum); fftw_free(upsampled)
        }
        time.initialize(repeating: 0, count: n)
        for (index, sample) in samples.enumerated() { time[padding + index] = Double(sample) }
        let estimate: UInt32 = 1 << 6
        // FFTW's planner is not thread-safe and tests run in parallel: plan and destroy under a lock.
        let forward = planner.withLock { fftw_plan_dft_r2c_1d(Int32(n), time, spectrum, estimate) }
        fftw_execute(forward)
        planner.withLock { fftw_destroy_plan(forward) }
        for bin in 0...(m / 2) { upsampledSpectrum[bin] = (0, 0) }
        for bin in 0...(n / 2) { upsampledSpectrum[bin] = spectrum[bin] }
        if n % 2 == 0 {
            // The Nyquist bin of the short signal is shared by ±n/2 in the long one.
            upsampledSpectrum[n / 2].0 *= 0.5
            upsampledSpectrum[n / 2].1 *= 0.5
        }
        let inverse = planner.withLock { fftw_plan_dft_c2r_1d(Int32(m), upsampledSpectrum, upsampled, estimate) }
        fftw_execute(inverse)
        planner.withLock { fftw_destroy_plan(inverse) }
        var peak = 0.0
        let range = counting.map { (padding + $0.lowerBound) * oversampling ..< (padding + $0.upperBound) * oversampling } ?? 0..<m
        for index in range { peak = max(peak, abs(upsampled[index])) }
        // FFTW's transforms are unnormalised: the round trip scales by n.
        peak /= Double(n)
        return 20 * log10(max(peak, 1e-300))
    }
}
