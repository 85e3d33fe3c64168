import MixAnalysis

/// Where meter frames fall in audio time: frame `k` covers
/// `[round(k·rate/fps), round((k+1)·rate/fps))`, so frames never drift from the audio however
/// long the song, and the last frame ends at the song's end.
struct MeterClock: Sendable {
    let sampleRate: Int
    let framesPerSecond: Int
    let totalFrameCount: Int64

    /// Meter frames in the song: every frame holds audio (rounded boundaries can make the last
    /// of ⌈length · fps / rate⌉ empty, and then it is not counted).
    var frameCount: Int {
        let count = Int((totalFrameCount * Int64(framesPerSecond) + Int64(sampleRate) - 1) / Int64(sampleRate))
        return count >= 2 && start(of: count - 1) >= totalFrameCount ? count - 1 : count
    }

    /// The audio frame where meter frame `index` ends.
    func end(of index: Int) -> Int64 {
        min(totalFrameCount, (Int64(index + 1) * Int64(sampleRate) + Int64(framesPerSecond) / 2) / Int64(framesPerSecond))
    }

    /// The audio frame where meter frame `index` starts.
    func start(of index: Int) -> Int64 {
        index == 0 ? 0 : end(of: index - 1)
    }

    /// The longest meter frame, in audio frames.
    var longestPeriod: Int { sampleRate / framesPerSecond + 1 }

    /// Frames a scope keeps: a whole meter frame, and never fewer than its points.
    var scopeCapacity: Int { max(Scope.pointCount, longestPeriod + 1) }

    /// The song cut into chunks of whole meter frames, each at most `capacity` audio frames: the
    /// passes' unit of work.
    func chunks(capacity: Int) -> [MeterChunk] {
        var chunks: [MeterChunk] = []
        var nextFrame = 0
        while nextFrame < frameCount {
            let start = start(of: nextFrame)
            var ends: [Int] = []
            var lastFrame = nextFrame
            while lastFrame < frameCount, end(of: lastFrame) - start <= Int64(capacity) {
                ends.append(Int(end(of: lastFrame) - start))
                lastFrame += 1
            }
            chunks.append(MeterChunk(firstFrame: nextFrame, startFrame: start, periodEnds: ends))
            nextFrame = lastFrame
        }
        return chunks
    }
}

/// A chunk of the song: whole meter frames.
struct MeterChunk: Sendable {
    /// Its first meter frame, and the audio frame that frame starts at.
    var firstFrame: Int
    var startFrame: Int64
    /// Where each of its meter frames ends, in audio frames from the chunk's start.
    var periodEnds: [Int]
    /// Audio frames in the chunk.
    var frameCount: Int { periodEnds.last ?? 0 }
}
