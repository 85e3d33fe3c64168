import Foundation
import MixDSP

/// Streams one stem as the session needs it: decoded in blocks, folded to stereo, resampled
/// to the session rate, cut or padded to its exact conformed length, then followed by silence
/// to the session's length (SPEC §1 `align`). Leading silence is kept: it is the artist's timing.
/// Memory is a few blocks, whatever the song's length.
public final class ConformedStemReader {
    /// Frames per decode step.
    public static let decodeBlockFrameCount = 4096

    /// The stem's own length at the session rate.
    public let stemFrameCount: Int64
    /// The length every stem of the session is brought to.
    public let sessionFrameCount: Int64
    /// The fold applied to the file's channels.
    public let fold: ChannelFold

    private let reader: SndFileReader
    private let resampler: StreamingResampler?
    private var decoded: [Float]
    private var folded: [Float]
    private var foldedOffset = 0
    private var foldedCount = 0
    private var pending: [Float]
    private var pendingOffset = 0
    private var pendingCount = 0
    private var sourceFinished = false
    private var drained = false
    private var emittedStemFrames: Int64 = 0
    private var emittedFrames: Int64 = 0
    private var scratchLeft: [Float]
    private var scratchRight: [Float]

    /// Opens `url` (already validated by `StemScanner`, whose decoded frame count is
    /// `sourceFrameCount`) for a session at `sessionRate` lasting `sessionFrameCount` frames.
    public init(url: URL, sourceFrameCount: Int64, sessionRate: Int, sessionFrameCount: Int64) throws {
        reader = try SndFileReader(url: url)
        guard let fold = ChannelFold.forChannelCount(reader.channelCount, order: reader.channelOrder) else {
            throw InputRejection("too many channels: \(reader.channelCount)")
        }
        self.fold = fold
        self.sessionFrameCount = sessionFrameCount
        stemFrameCount = StreamingResampler.outputFrameCount(
            forInputFrameCount: sourceFrameCount, inputRate: reader.sampleRate, outputRate: sessionRate)
        resampler = reader.sampleRate == sessionRate
            ? nil : try StreamingResampler(inputRate: reader.sampleRate, outputRate: sessionRate, channelCount: 2)
        let block = Self.decodeBlockFrameCount
        decoded = [Float](repeating: 0, count: block * reader.channelCount)
        folded = [Float](repeating: 0, count: block * 2)
        let ratio = Double(sessionRate) / Double(reader.sampleRate)
        pending = [Float](repeating: 0, count: (Int(Double(block) * ratio) + 1024) * 2)
        scratchLeft = [Float](repeating: 0, count: block)
        scratchRight = [Float](repeating: 0, count: block)
    }

    /// Writes the next `frameCount` frames into planar `left` and `right`; returns how many were
    /// written, fewer only at the end of the session.
    public func read(left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>, frameCount: Int) -> Int {
        var written = 0
        while written < frameCount, emittedFrames < sessionFrameCount {
            if emittedStemFrames < stemFrameCount, pendingCount == 0, !drained {
                refill()
                continue
            }
            let wanted = Int(min(Int64(frameCount - written), sessionFrameCount - emittedFrames))
            var take = 0
            if emittedStemFrames < stemFrameCount, pendingCount > 0 {
                take = Int(min(Int64(min(wanted, pendingCount)), stemFrameCount - emittedStemFrames))
                pending.withUnsafeBufferPointer { pending in
                    for frame in 0..<take {
                        left[written + frame] = pending[2 * (pendingOffset + frame)]
                        right[written + frame] = pending[2 * (pendingOffset + frame) + 1]
                    }
                }
                pendingOffset += take
                pendingCount -= take
                emittedStemFrames += Int64(take)
            } else {
                // Silence: past the stem's end, or a frame the resampler came up short by.
                take = wanted
                if emittedStemFrames < stemFrameCount {
                    take = Int(min(Int64(wanted), stemFrameCount - emittedStemFrames))
                    emittedStemFrames += Int64(take)
                }
                (left + written).update(repeating: 0, count: take)
                (right + written).update(repeating: 0, count: take)
            }
            written += take
            emittedFrames += Int64(take)
        }
        return written
    }

    /// Fills `pending` with the next stretch of stereo audio at the session rate.
    private func refill() {
        pendingOffset = 0
        pendingCount = 0
        if foldedCount == 0, !sourceFinished {
            decodeAndFold()
        }
        guard let resampler else {
            // Same rate: the folded block is the output.
            if foldedCount == 0 {
                drained = true
                return
            }
            swap(&pending, &folded)  // both hold a whole decode block; no copy needed
            pendingCount = foldedCount
            foldedCount = 0
            return
        }
        let capacity = pending.count / 2
        pending.withUnsafeMutableBufferPointer { out in
            folded.withUnsafeBufferPointer { input in
                if foldedCount > 0 {
                    let result = resampler.process(
                        input: input.baseAddress! + 2 * foldedOffset, inputFrameCount: foldedCount,
                        output: out.baseAddress!, outputCapacity: capacity)
                    foldedOffset += result.consumed
                    foldedCount -= result.consumed
                    pendingCount = result.produced
                } else {
                    let result = resampler.process(input: nil, inputFrameCount: 0, output: out.baseAddress!, outputCapacity: capacity)
                    pendingCount = result.produced
                    if result.produced == 0 { drained = true }
                }
            }
        }
    }

    private func decodeAndFold() {
        foldedOffset = 0
        let frames = decoded.withUnsafeMutableBufferPointer {
            reader.read(into: $0.baseAddress!, frameCount: Self.decodeBlockFrameCount)
        }
        guard frames > 0 else {
            sourceFinished = true
            foldedCount = 0
            return
        }
        decoded.withUnsafeBufferPointer { decoded in
            scratchLeft.withUnsafeMutableBufferPointer { left in
                scratchRight.withUnsafeMutableBufferPointer { right in
                    fold.fold(interleaved: decoded.baseAddress!, frameCount: frames, left: left.baseAddress!, right: right.baseAddress!)
                    folded.withUnsafeMutableBufferPointer { folded in
                        for frame in 0..<frames {
                            folded[2 * frame] = left[frame]
                            folded[2 * frame + 1] = right[frame]
                        }
                    }
                }
            }
        }
        foldedCount = frames
    }
}
