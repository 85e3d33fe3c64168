/// Where meter frames fall in audio time: frame `k` covers
/// `[round(k·rate/fps), round((k+1)·rate/fps))`, so frames never drift from the audio however
/// long the song, and the last frame ends at the song's end.
struct MeterClock: Sendable {
    let sampleRate: Int
    let framesPerSecond: Int
    let totalFrameCount: Int64

    /// Meter frames in the song.
    var frameCount: Int {
        Int((totalFrameCount * Int64(framesPerSecond) + Int64(sampleRate) - 1) / Int64(sampleRate))
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
}
