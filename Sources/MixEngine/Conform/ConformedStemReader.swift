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
    /// One decode block as the file interleaves it.
    private let decoded: UnsafeMutablePointer<Float>
    /// The decode block folded to stereo, waiting for soxr (resampling only).
    private let foldedLeft: UnsafeMutablePointer<Float>
    private let foldedRight: UnsafeMutablePointer<Float>
    private var foldedOffset = 0
    private var foldedCount = 0
    /// Audio at the session rate waiting to be read: the fold's output when the rates match,
    /// soxr's otherwise.
    private let pendingLeft: UnsafeMutablePointer<Float>
    private let pendingRight: UnsafeMutablePointer<Float>
    private let pendingCapacity: Int
    private var pendingOffset = 0
    private var pendingCount = 0
    private var sourceFinished = false
    private var drained = false
    private var emittedStemFrames: Int64 = 0
    private var emittedFrames: Int64 = 0

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
            ? nil : try StreamingResampler(inputRate: reader.sampleRate, outputRate: sessionRate)
        let block = Self.decodeBlockFrameCount
        decoded = .allocate(capacity: block * reader.channelCount)
        let foldedCapacity = resampler == nil ? 0 : block
        foldedLeft = .allocate(capacity: foldedCapacity)
        foldedRight = .allocate(capacity: foldedCapacity)
        let ratio = Double(sessionRate) / Double(reader.sampleRate)
        pendingCapacity = resampler == nil ? block : Int(Double(block) * ratio) + 1024
        pendingLeft = .allocate(capacity: pendingCapacity)
        pendingRight = .allocate(capacity: pendingCapacity)
    }

    deinit {
        for buffer in [decoded, foldedLeft, foldedRight, pendingLeft, pendingRight] {
            buffer.deallocate()
        }
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
                (left + written).update(from: pendingLeft + pendingOffset, count: take)
                (right + written).update(from: pendingRight + pendingOffset, count: take)
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

    /// Fills the pending buffers with the next stretch of stereo audio at the session rate.
    private func refill() {
        pendingOffset = 0
        guard let resampler else {
            pendingCount = decode(intoLeft: pendingLeft, right: pendingRight)
            if pendingCount == 0 { drained = true }
            return
        }
        if foldedCount == 0, !sourceFinished {
            foldedOffset = 0
            foldedCount = decode(intoLeft: foldedLeft, right: foldedRight)
        }
        guard foldedCount > 0 else {
            pendingCount = resampler.drain(outputLeft: pendingLeft, outputRight: pendingRight, outputCapacity: pendingCapacity)
            if pendingCount == 0 { drained = true }
            return
        }
        let result = resampler.process(
            left: foldedLeft + foldedOffset, right: foldedRight + foldedOffset, frameCount: foldedCount,
            outputLeft: pendingLeft, outputRight: pendingRight, outputCapacity: pendingCapacity)
        foldedOffset += result.consumed
        foldedCount -= result.consumed
        pendingCount = result.produced
    }

    /// Decodes the next block and folds it to stereo into `left` and `right`; returns the frames
    /// decoded (0 at the end of the file, which it records).
    private func decode(intoLeft left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>) -> Int {
        let frameCount = reader.read(into: decoded, frameCount: Self.decodeBlockFrameCount)
        guard frameCount > 0 else {
            sourceFinished = true
            return 0
        }
        fold.fold(interleaved: decoded, frameCount: frameCount, left: left, right: right)
        return frameCount
    }
}
