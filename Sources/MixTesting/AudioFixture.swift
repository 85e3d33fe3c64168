import Foundation
import MixEngine

/// Writes test audio with libsndfile and reads it back whole (tests only: the product streams).
public enum AudioFixture {
    /// Writes planar `channels` to `url` as `type`.
    public static func write(
        _ channels: [[Float]], to url: URL, type: AudioFileWriter.FileType, sampleRate: Int
    ) throws {
        let writer = try AudioFileWriter(url: url, type: type, sampleRate: sampleRate, channelCount: channels.count)
        try writer.write(interleaved: SignalGenerator.interleave(channels))
        try writer.finish()
    }

    /// Decodes a whole file to planar channels.
    public static func read(_ url: URL) throws -> (channels: [[Float]], sampleRate: Int) {
        let reader = try SndFileReader(url: url)
        let channelCount = reader.channelCount
        var planar = [[Float]](repeating: [], count: channelCount)
        var block = [Float](repeating: 0, count: 4096 * channelCount)
        while true {
            let frames = block.withUnsafeMutableBufferPointer { reader.read(into: $0.baseAddress!, frameCount: 4096) }
            if frames == 0 { break }
            for frame in 0..<frames {
                for channel in 0..<channelCount { planar[channel].append(block[frame * channelCount + channel]) }
            }
        }
        return (planar, reader.sampleRate)
    }

    /// Reads a whole session-conformed stem through `ConformedStemReader`, in `blockFrameCount` steps.
    public static func readConformed(_ reader: ConformedStemReader, blockFrameCount: Int = 1000) -> (left: [Float], right: [Float]) {
        var left: [Float] = [], right: [Float] = []
        var blockLeft = [Float](repeating: 0, count: blockFrameCount)
        var blockRight = blockLeft
        while true {
            let frames = blockLeft.withUnsafeMutableBufferPointer { l in
                blockRight.withUnsafeMutableBufferPointer { r in
                    reader.read(left: l.baseAddress!, right: r.baseAddress!, frameCount: blockFrameCount)
                }
            }
            left += blockLeft[0..<frames]
            right += blockRight[0..<frames]
            if frames < blockFrameCount { break }
        }
        return (left, right)
    }
}
