import Foundation
import MixDSP

/// The highest inter-sample peak of one channel, interpolated 8× (more than BS.1770's 4×) by a
/// 48-tap-per-phase Kaiser-windowed sinc: the check on an exported mix, independent of the
/// limiter's own 4× detector. Streams in blocks with fixed memory.
///
/// Stretches that cannot hold a new maximum are skipped: an interpolated point is at most
/// Σ|h| (the largest phase's absolute tap sum) times the largest sample under the filter, so a
/// stretch whose bound is below the peak found so far is not computed.
public final class OversampledPeakScanner {
    public static let factor = 8
    public static let tapsPerPhase = 48
    private static let segmentFrameCount = 64

    private let coefficients: UnsafeMutablePointer<SIMD8<Float>>
    private let buffer: UnsafeMutablePointer<Float>
    private let capacity: Int
    /// The largest phase's Σ|h|.
    private let gainBound: Float
    /// Highest absolute interpolated value so far.
    public private(set) var peak: Float = 0

    /// A scanner taking blocks of up to `maxFrameCount` samples.
    public init(maxFrameCount: Int) {
        let filter = InterpolationFilter(factor: Self.factor, tapsPerPhase: Self.tapsPerPhase, kaiserBeta: 7)
        coefficients = .allocate(capacity: Self.tapsPerPhase)
        var bound: Float = 0
        for tap in 0..<Self.tapsPerPhase {
            coefficients[tap] = SIMD8((0..<Self.factor).map { filter.phases[$0][tap] })
        }
        for phase in filter.phases { bound = max(bound, phase.reduce(0) { $0 + abs($1) }) }
        gainBound = bound
        capacity = maxFrameCount
        buffer = .allocate(capacity: Self.tapsPerPhase + maxFrameCount)
        buffer.initialize(repeating: 0, count: Self.tapsPerPhase + maxFrameCount)
    }

    deinit {
        coefficients.deallocate()
        buffer.deallocate()
    }

    /// The peak in dBTP; nil for digital silence.
    public var peakDBTP: Double? {
        peak > 0 ? Decibels.fromAmplitude(Double(peak)) : nil
    }

    /// Scans `count` samples, `stride` apart (2 for a channel of interleaved stereo).
    public func add(_ samples: UnsafePointer<Float>, count: Int, stride: Int = 1) {
        var offset = 0
        while offset < count {
            let n = min(capacity, count - offset)
            scan(samples + offset * stride, count: n, stride: stride)
            offset += n
        }
    }

    /// Runs `tapsPerPhase − 1` zeros through, so the last samples' interpolation is complete.
    public func finish() {
        let zeros = [Float](repeating: 0, count: Self.tapsPerPhase)
        zeros.withUnsafeBufferPointer { add($0.baseAddress!, count: Self.tapsPerPhase - 1) }
    }

    private func scan(_ samples: UnsafePointer<Float>, count: Int, stride: Int) {
        let taps = Self.tapsPerPhase
        let history = taps - 1
        let input = buffer + history
        for i in 0..<count { input[i] = samples[i * stride] }
        var maximum = SIMD8<Float>(repeating: peak)
        var start = 0
        while start < count {
            let end = min(count, start + Self.segmentFrameCount)
            // The outputs for samples start..<end read buffer[start ..< end + history].
            let largest = Self.largestMagnitude(buffer + start, count: end + history - start)
            if largest * gainBound > maximum.max() {
                var n = start
                // Two outputs at a time, each in two partial sums: every coefficient load
                // serves two multiply-adds, and four short chains keep the adder busy (one
                // chain of 48 dependent adds per output left it waiting).
                while n + 2 <= end {
                    let window = buffer + n
                    var first = (SIMD8<Float>(), SIMD8<Float>()), second = (SIMD8<Float>(), SIMD8<Float>())
                    var tap = 0
                    while tap < taps {
                        let (even, odd) = (coefficients[tap], coefficients[tap + 1])
                        first.0.addProduct(even, SIMD8(repeating: window[tap]))
                        second.0.addProduct(even, SIMD8(repeating: window[tap + 1]))
                        first.1.addProduct(odd, SIMD8(repeating: window[tap + 1]))
                        second.1.addProduct(odd, SIMD8(repeating: window[tap + 2]))
                        tap += 2
                    }
                    maximum = maximum.laneMax((first.0 + first.1).magnitude).laneMax((second.0 + second.1).magnitude)
                    n += 2
                }
                if n < end {
                    let window = buffer + n
                    var sums = (SIMD8<Float>(), SIMD8<Float>())
                    var tap = 0
                    while tap < taps {
                        sums.0.addProduct(coefficients[tap], SIMD8(repeating: window[tap]))
                        sums.1.addProduct(coefficients[tap + 1], SIMD8(repeating: window[tap + 1]))
                        tap += 2
                    }
                    maximum = maximum.laneMax((sums.0 + sums.1).magnitude)
                }
            }
            start = end
        }
        peak = maximum.max()
        // Keep the newest `history` samples at the front for the next block.
        memmove(buffer, buffer + count, history * MemoryLayout<Float>.size)
    }

    /// The largest |x| of `count` samples, eight lanes at a time: a scalar running maximum waits
    /// on itself every sample (and the optimizer may not reorder it), and this bound is taken
    /// over more samples than the scan computes.
    private static func largestMagnitude(_ samples: UnsafePointer<Float>, count: Int) -> Float {
        let raw = UnsafeRawPointer(samples)
        var lanes = SIMD8<Float>.zero
        var i = 0
        while i + 8 <= count {
            lanes = lanes.laneMax(raw.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self).magnitude)
            i += 8
        }
        var largest = lanes.max()
        while i < count {
            largest = max(largest, abs(samples[i]))
            i += 1
        }
        return largest
    }
}
