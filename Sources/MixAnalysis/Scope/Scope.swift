import Foundation

/// What a scope shows of the audio since the last snapshot: a 512-point waveform (the peak of
/// each stretch, sign kept), the L/R correlation (−1…+1) and 512 goniometer points (mid, side).
public struct ScopeSnapshot: Sendable, Equatable {
    public var waveform: [Float]
    public var correlation: Float
    /// Interleaved (mid, side) pairs, 512 of them.
    public var goniometer: [Float]

    public init(waveform: [Float], correlation: Float, goniometer: [Float]) {
        self.waveform = waveform
        self.correlation = correlation
        self.goniometer = goniometer
    }
}

/// Collects stereo audio between display frames in fixed memory (the newest `capacity` frames)
/// and turns it into a `ScopeSnapshot`.
public final class Scope {
    public static let pointCount = 512

    public let capacity: Int
    private var left: [Float]
    private var right: [Float]
    private var writeIndex = 0
    private var filled = 0
    private var sumLR: Double = 0
    private var sumLL: Double = 0
    private var sumRR: Double = 0

    /// `capacity`: frames kept (a display frame's worth: the rate over the slowest frame rate).
    public init(capacity: Int) {
        precondition(capacity >= Self.pointCount)
        self.capacity = capacity
        left = [Float](repeating: 0, count: capacity)
        right = [Float](repeating: 0, count: capacity)  // its own storage: no copy on first write
    }

    /// Adds a stereo block.
    public func add(left newLeft: UnsafePointer<Float>, right newRight: UnsafePointer<Float>, frameCount: Int) {
        var index = writeIndex
        var (lr, ll, rr) = (0.0, 0.0, 0.0)
        let capacity = self.capacity
        // Only the newest `capacity` frames are kept; the sums cover every frame.
        let keepFrom = max(0, frameCount - capacity)
        left.withUnsafeMutableBufferPointer { left in
            right.withUnsafeMutableBufferPointer { right in
                for i in 0..<frameCount {
                    let (l, r) = (newLeft[i], newRight[i])
                    lr += Double(l * r)
                    ll += Double(l * l)
                    rr += Double(r * r)
                    guard i >= keepFrom else { continue }
                    left[index] = l
                    right[index] = r
                    index += 1
                    if index == capacity { index = 0 }
                }
            }
        }
        writeIndex = index
        sumLR += lr
        sumLL += ll
        sumRR += rr
        filled = min(capacity, filled + frameCount)
    }

    /// The correlation of what was added since the last snapshot: Σ LR / √(Σ L² · Σ R²);
    /// 0 for silence (nothing to correlate).
    public var correlation: Float {
        let denominator = (sumLL * sumRR).squareRoot()
        return denominator > 1e-20 ? Float(max(-1, min(1, sumLR / denominator))) : 0
    }

    /// The snapshot of the frames since the last one, then starts a new period.
    public func snapshot() -> ScopeSnapshot {
        var waveform = [Float](repeating: 0, count: Self.pointCount)
        var goniometer = [Float](repeating: 0, count: 2 * Self.pointCount)
        let correlation = waveform.withUnsafeMutableBufferPointer { waveform in
            goniometer.withUnsafeMutableBufferPointer { snapshot(waveform: waveform, goniometer: $0) }
        }
        return ScopeSnapshot(waveform: waveform, correlation: correlation, goniometer: goniometer)
    }

    /// The snapshot written into the caller's buffers (512 and 1024 floats: no allocation, for
    /// the render loop); returns the correlation, then starts a new period.
    public func snapshot(waveform: UnsafeMutableBufferPointer<Float>, goniometer: UnsafeMutableBufferPointer<Float>) -> Float {
        precondition(waveform.count >= Self.pointCount && goniometer.count >= 2 * Self.pointCount)
        defer {
            sumLR = 0
            sumLL = 0
            sumRR = 0
            filled = 0
        }
        guard filled > 0 else {
            // Nothing new since the last snapshot: a flat line, not the last frame repeated.
            waveform.update(repeating: 0)
            goniometer.update(repeating: 0)
            return 0
        }
        let count = filled
        let start = (writeIndex - count + capacity) % capacity
        left.withUnsafeBufferPointer { left in
            right.withUnsafeBufferPointer { right in
                for point in 0..<Self.pointCount {
                    let from = point * count / Self.pointCount
                    let to = min(count, max(from + 1, (point + 1) * count / Self.pointCount))
                    var peak: Float = 0
                    var index = start + from
                    if index >= capacity { index -= capacity }
                    let first = index
                    for _ in from..<to {
                        let mid = 0.5 * (left[index] + right[index])
                        if abs(mid) > abs(peak) { peak = mid }
                        index += 1
                        if index == capacity { index = 0 }
                    }
                    waveform[point] = peak
                    let at = from < count ? first : (start + count - 1) % capacity
                    goniometer[2 * point] = (left[at] + right[at]) * 0.70710678
                    goniometer[2 * point + 1] = (left[at] - right[at]) * 0.70710678
                }
            }
        }
        return correlation
    }
}
