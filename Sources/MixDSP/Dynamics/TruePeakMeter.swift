/// A stereo true-peak meter (4× oversampled, BS.1770-4 Annex 2, with the parabolic refinement
/// of `TruePeakDetector`), computed eight samples at a time like the limiter's detector: the
/// master's per-frame reading. The peaks it reports trail the audio by
/// `TruePeakDetector.delayFrames` frames, a fraction of a millisecond.
public final class TruePeakMeter {
    private let detectors: (BlockTruePeakDetector, BlockTruePeakDetector)
    private let peaks: UnsafeMutablePointer<Float>
    private let capacity: Int
    private var peak: Float = 0

    /// A meter for blocks of any length (processed `maxFrameCount` frames at a time).
    public init(maxFrameCount: Int = 4096) {
        capacity = maxFrameCount
        detectors = (BlockTruePeakDetector(maxFrameCount: maxFrameCount), BlockTruePeakDetector(maxFrameCount: maxFrameCount))
        peaks = .allocate(capacity: maxFrameCount + 8)
        peaks.initialize(repeating: 0, count: maxFrameCount + 8)
    }

    deinit {
        detectors.0.deallocate()
        detectors.1.deallocate()
        peaks.deallocate()
    }

    /// Adds a stereo block.
    public func add(left: UnsafePointer<Float>, right: UnsafePointer<Float>, frameCount: Int) {
        var offset = 0
        while offset < frameCount {
            let n = min(capacity, frameCount - offset)
            detectors.0.blockStart.update(from: left + offset, count: n)
            detectors.1.blockStart.update(from: right + offset, count: n)
            // The detectors read up to 8 samples past the block: keep that slack silent.
            (detectors.0.blockStart + n).update(repeating: 0, count: 8)
            (detectors.1.blockStart + n).update(repeating: 0, count: 8)
            detectors.0.detect(count: n, into: peaks, combine: false)
            detectors.1.detect(count: n, into: peaks, combine: true)
            var highest = peak
            for i in 0..<n { highest = max(highest, peaks[i]) }
            peak = highest
            detectors.0.finish(count: n)
            detectors.1.finish(count: n)
            offset += n
        }
    }

    /// The highest true peak (linear) since the last reading; starts a new period.
    public func read() -> Float {
        defer { peak = 0 }
        return peak
    }

    /// Forgets all history.
    public func reset() {
        detectors.0.reset()
        detectors.1.reset()
        peak = 0
    }
}
