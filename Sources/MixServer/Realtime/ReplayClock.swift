/// Where a replay is in the song, as a value: playing from a point at a wall-clock instant, or
/// paused at a point. Control messages move it; the frame to show is read off it at any instant.
/// Tested without a socket or a clock of its own.
struct ReplayClock: Sendable, Equatable {
    enum State: Sendable, Equatable {
        case playing(fromS: Double, since: ContinuousClock.Instant)
        case paused(atS: Double)
    }

    /// The song's length in seconds (positions are kept within it).
    let durationS: Double
    private(set) var state: State

    init(durationS: Double, positionS: Double, playing: Bool, now: ContinuousClock.Instant) {
        self.durationS = max(0, durationS)
        state = .paused(atS: 0)
        state = playing ? .playing(fromS: clamped(positionS), since: now) : .paused(atS: clamped(positionS))
    }

    var isPlaying: Bool {
        if case .playing = state { return true }
        return false
    }

    /// The position at `now`, in seconds.
    func positionS(at now: ContinuousClock.Instant) -> Double {
        switch state {
        case .paused(let at):
            return at
        case .playing(let from, let since):
            let elapsed = since.duration(to: now)
            return clamped(from + Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
        }
    }

    /// The frame at `now` of a file with `framesPerSecond` and `frameCount` frames.
    func frameIndex(at now: ContinuousClock.Instant, framesPerSecond: Int, frameCount: Int) -> Int {
        max(0, min(frameCount - 1, Int((positionS(at: now) * Double(framesPerSecond)).rounded(.down))))
    }

    /// The frame a tick at `now` shows, if it is later than `last`, the frame counted before;
    /// nil while paused. A playing replay only moves on: a tick whose time came before the last
    /// jump (the start, a seek, a play; its timer woke late) would read an earlier frame, and
    /// every jump counts its own frame.
    func frameIndex(
        at now: ContinuousClock.Instant, after last: Int?, framesPerSecond: Int, frameCount: Int
    ) -> Int? {
        guard isPlaying else { return nil }
        let index = frameIndex(at: now, framesPerSecond: framesPerSecond, frameCount: frameCount)
        if let last, index <= last { return nil }
        return index
    }

    /// Plays from `positionS` (the client's media time).
    mutating func play(at positionS: Double, now: ContinuousClock.Instant) {
        state = .playing(fromS: clamped(positionS), since: now)
    }

    /// Pauses at `positionS`.
    mutating func pause(at positionS: Double) {
        state = .paused(atS: clamped(positionS))
    }

    /// Moves to `positionS`, playing on if it was playing.
    mutating func seek(to positionS: Double, now: ContinuousClock.Instant) {
        if isPlaying { play(at: positionS, now: now) } else { pause(at: positionS) }
    }

    private func clamped(_ seconds: Double) -> Double { max(0, min(durationS, seconds)) }
}
