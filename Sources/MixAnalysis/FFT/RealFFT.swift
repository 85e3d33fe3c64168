import CFFTW3
import Foundation

/// FFTW's planner is not thread-safe: every plan is made under this lock (outside the hot path).
private let plannerLock = NSLock()

/// A forward real-to-complex FFT of a fixed size through FFTW (single precision). Planned
/// once in `init` with FFTW_ESTIMATE (a measured plan costs ~145 ms per size here); `forward`
/// allocates nothing. One instance per thread.
public final class RealFFT {
    /// Samples per transform.
    public let size: Int
    /// Bins out: size/2 + 1 (DC to Nyquist).
    public var binCount: Int { size / 2 + 1 }

    private let input: UnsafeMutablePointer<Float>
    private let output: UnsafeMutablePointer<fftwf_complex>
    private let plan: fftwf_plan

    /// FFTW_ESTIMATE from fftw3.h (`1U << 6`), which Swift does not import.
    private static let estimate: UInt32 = 1 << 6

    public init(size: Int) {
        precondition(size >= 2)
        self.size = size
        let input: UnsafeMutablePointer<Float> = fftwf_alloc_real(size)
        let output: UnsafeMutablePointer<fftwf_complex> = fftwf_alloc_complex(size / 2 + 1)
        input.initialize(repeating: 0, count: size)
        plannerLock.lock()
        plan = fftwf_plan_dft_r2c_1d(Int32(size), input, output, Self.estimate)
        plannerLock.unlock()
        self.input = input
        self.output = output
    }

    deinit {
        plannerLock.lock()
        fftwf_destroy_plan(plan)
        plannerLock.unlock()
        fftwf_free(input)
        fftwf_free(output)
    }

    /// Transforms `size` samples; writes `binCount` real and imaginary parts (unnormalised:
    /// a cosine of amplitude A on bin k gives A·size/2).
    public func forward(
        _ samples: UnsafePointer<Float>, real: UnsafeMutablePointer<Float>, imaginary: UnsafeMutablePointer<Float>
    ) {
        input.update(from: samples, count: size)
        fftwf_execute(plan)
        for bin in 0..<binCount {
            real[bin] = output[bin].0
            imaginary[bin] = output[bin].1
        }
    }

    /// Where `forwardPowers` reads its `size` samples: write them here first, and no copy is made.
    public var inputBuffer: UnsafeMutablePointer<Float> { input }

    /// Transforms the `size` samples in `inputBuffer` and writes the `binCount` powers
    /// (re² + im²; no square roots).
    public func forwardPowers(into powers: UnsafeMutablePointer<Float>) {
        fftwf_execute(plan)
        UnsafeRawPointer(output).withMemoryRebound(to: Float.self, capacity: 2 * binCount) { pairs in
            for bin in 0..<binCount {
                let (re, im) = (pairs[2 * bin], pairs[2 * bin + 1])
                powers[bin] = re * re + im * im
            }
        }
    }

    /// Transforms `size` samples and writes the `binCount` magnitudes.
    public func magnitudes(_ samples: UnsafePointer<Float>, into magnitudes: UnsafeMutablePointer<Float>) {
        input.update(from: samples, count: size)
        fftwf_execute(plan)
        for bin in 0..<binCount {
            let (re, im) = output[bin]
            magnitudes[bin] = (re * re + im * im).squareRoot()
        }
    }
}
