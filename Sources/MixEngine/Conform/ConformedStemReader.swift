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
    private var decoded: [Float]
    /// The decode block folded to stereo and interleaved again, as soxr takes it (resampling only).
    private var folded: [Float]
    private var foldedOffset = 0
    private var foldedCount = 0
    /// soxr's interleaved output (resampling only).
    private var resampled: [Float]
    /// Audio at the session rate waiting to be read, planar, so a read is two copies. The fold
    /// writes here directly when the rates match.
    private var pendingLeft: [Float]
    private var pendingRight: [Float]
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
            ? nil : try StreamingResampler(inputRate: reader.sampleRate, outputRate: sessionRate, channelCount: 2)
        let block = Self.decodeBlockFrameCount
        decoded = [Float](repeating: 0, count: block * reader.channelCount)
        let ratio = Double(sessionRate) / Double(reader.sampleRate)
        let pendingCapacity = resampler == nil ? block : Int(Double(block) * ratio) + 1024
        folded = [Float](repeating: 0, count: resampler == nil ? 0 : block * 2)
        resampled = [Float](repeating: 0, count: resampler == nil ? 0 : pendingCapacity * 2)
        pendingLeft = [Float](repeating: 0, count: max(block, pendingCapacity))
        pendingRight = [Float](repeating: 0, count: max(block, pendingCapacity))
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
                pendingLeft.withUnsafeBufferPointer {
                    (left + written).update(from: $0.baseAddress! + pendingOffset, count: take)
                }
                pendingRight.withUnsafeBufferPointer {
                    (right + written).update(from: $0.baseAddress! + pendingOffset, count: take)
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

    /// Fills the pending buffers with the next stretch of stereo audio at the session rate.
    private func refill() {
        pendingOffset = 0
        pendingCount = 0
        guard let resampler else {
            // Same rate: the fold writes the pending buffers themselves.
            pendingCount = decode { interleaved, left, right, frameCount in
                fold.fold(interleaved: interleaved, frameCount: frameCount, left: left, right: right)
            }
            if pendingCount == 0 { drained = true }
            return
        }
        if foldedCount == 0, !sourceFinished {
            foldedOffset = 0
            foldedCount = decode { interleaved, left, right, frameCount in
                // soxr takes interleaved stereo: fold into the pending buffers, interleave from there.
                fold.fold(interleaved: interleaved, frameCount: frameCount, left: left, right: right)
                folded.withUnsafeMutableBufferPointer { folded in
                    for frame in 0..<frameCount {
                        folded[2 * frame] = left[frame]
                        folded[2 * frame + 1] = right[frame]
                    }
                }
            }
        }
        let capacity = resampled.count / 2
        let produced = resampled.withUnsafeMutableBufferPointer { out in
            folded.withUnsafeBufferPointer { input in
                if foldedCount > 0 {
                    let result = resampler.process(
                        input: input.baseAddress! + 2 * foldedOffset, inputFrameCount: foldedCount,
                        output: out.baseAddress!, outputCapacity: capacity)
                    foldedOffset += result.consumed
                    foldedCount -= result.consumed
                    return result.produced
                }
                return resampler.process(input: nil, inputFrameCount: 0, output: out.baseAddress!, outputCapacity: capacity).produced
            }
        }
        if produced == 0, foldedCount == 0, sourceFinished { drained = true }
        resampled.withUnsafeBufferPointer { resampled in
            pendingLeft.withUnsafeMutableBufferPointer { left in
                pendingRight.withUnsafeMutableBufferPointer { right in
                    for frame in 0..<produced {
                        left[frame] = resampled[2 * frame]
                        right[frame] = resampled[2 * frame + 1]
                    }
                }
            }
        }
        pendingCount = produced
    }

    /// Decodes the next block and hands it to `body` with the pending buffers as scratch for its
    /// fold; returns the number of frames decoded (0 at the end of the file, which it records).
    private func decode(
        _ body: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void
    ) -> Int {
        let frameCount = decoded.withUnsafeMutableBufferPointer {
            reader.read(into: $0.baseAddress!, frameCount: Self.decodeBlockFrameCount)
        }
        guard frameCount > 0 else {
            sourceFinished = true
            return 0
        }
        decoded.withUnsafeBufferPointer { decoded in
            pendingLeft.withUnsafeMutableBufferPointer { left in
                pendingRight.withUnsafeMutableBufferPointer { right in
                    body(decoded.baseAddress!, left.baseAddress!, right.baseAddress!, frameCount)
                }
            }
        }
        return frameCount
    }
}
