/// Where the lane stages flush their filters of denormals: at the multiples of
/// `Denormals.interval` frames since reset, where the processors flush theirs.
enum LaneFlushPoints {
    /// Calls `body(start, end)` for the stretches of a `count`-frame block that starts
    /// `framesSinceReset` frames after reset, and `flush()` at each flush point before them.
    @inline(__always)
    static func stretches(from framesSinceReset: Int, count: Int, flush: () -> Void, _ body: (Int, Int) -> Void) {
        let interval = Denormals.interval
        var start = 0
        while start < count {
            let phase = (framesSinceReset + start) % interval
            if phase == 0 { flush() }
            let end = min(count, start + interval - phase)
            body(start, end)
            start = end
        }
    }
}
