import Foundation

/// libebur128's true peak (BS.1770-4, 4×) of a long stream, measured by several meters that
/// take chunks in turn, so the chunks can be measured on several cores at once; the reading is
/// the one a single meter would give.
///
/// libebur128's interpolator is a 49-tap FIR: an output depends on the newest 13 input frames
/// only. Each chunk is therefore preceded by the `warmUpFrameCount` frames before it (which
/// refill the meter's delay line, their own outputs thrown away), and only the chunk's outputs
/// count. A meter is used by one thread at a time; different meters by different threads.
public final class ChunkedTruePeakMeter: @unchecked Sendable {
    /// Frames before a chunk that bring a meter's delay line to the stream's state.
    public static let warmUpFrameCount = 16

    public let channelCount: Int
    private let meters: [LoudnessMeter]
    /// Highest true peak (linear) each meter has read, updated only by its own thread.
    private let peaks: UnsafeMutablePointer<Double>

    /// `meterCount` meters for interleaved audio of `channelCount` channels at `sampleRate`; nil
    /// when libebur128 refuses the configuration.
    public init?(channelCount: Int, sampleRate: Int, meterCount: Int) {
        var meters: [LoudnessMeter] = []
        for _ in 0..<max(1, meterCount) {
            guard let meter = LoudnessMeter(channelCount: channelCount, sampleRate: sampleRate, measures: [.truePeak])
            else { return nil }
            meters.append(meter)
        }
        self.meters = meters
        self.channelCount = channelCount
        peaks = .allocate(capacity: meters.count)
        peaks.initialize(repeating: 0, count: meters.count)
    }

    deinit {
        peaks.deallocate()
    }

    /// How many meters take turns (chunk `k` goes to meter `k % meterCount`).
    public var meterCount: Int { meters.count }

    /// Measures chunk `index`: `frameCount` interleaved frames at `frames`, with the stream's
    /// `warmUpCount` frames before them just ahead of `frames` in memory: `warmUpFrameCount`,
    /// or all there are near the start. Chunks of one meter must come in order.
    public func add(chunk index: Int, frames: UnsafePointer<Float>, frameCount: Int, warmUpCount: Int) {
        let meter = index % meters.count
        precondition(warmUpCount >= 0 && warmUpCount <= Self.warmUpFrameCount)
        if warmUpCount > 0 {
            // What came before the chunk, so the delay line holds what a single meter's would;
            // the outputs of this call are not counted.
            meters[meter].add(interleaved: frames - warmUpCount * channelCount, frameCount: warmUpCount)
        }
        meters[meter].add(interleaved: frames, frameCount: frameCount)
        peaks[meter] = max(peaks[meter], meters[meter].lastAddTruePeak)
    }

    /// The highest true peak of all chunks, in dBTP; nil for silence. Read when every chunk is in.
    public var truePeakDBTP: Double? {
        let highest = (0..<meters.count).map { peaks[$0] }.max() ?? 0
        return highest > 0 ? 20 * log10(highest) : nil
    }
}
