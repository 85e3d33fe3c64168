/// The EQ stage (and the air shelf, a one-section EQ) on eight lanes: as many biquads as the
/// longest track's cascade, each lane with its own coefficients; a track with fewer sections
/// passes the rest through identities, exactly. The steps of `StereoBiquadCascade`.
struct LaneEqualizer {
    private var sections: [LaneBiquad]

    /// Each track's sections (`coefficients[track]`), spread over its lanes; nil when no track
    /// has any.
    init?(_ coefficients: [[BiquadCoefficients]], layout: LaneLayout) {
        let count = coefficients.map(\.count).max() ?? 0
        guard count > 0 else { return nil }
        var sections = [LaneBiquad](repeating: LaneBiquad(), count: count)
        for (track, trackSections) in coefficients.enumerated() {
            for (index, section) in trackSections.enumerated() {
                for lane in layout.lanes(ofTrack: track) { sections[index].setCoefficients(section, lane: lane) }
            }
        }
        self.sections = sections
    }

    mutating func reset() {
        for index in sections.indices { sections[index].reset() }
    }

    /// Filters `count` frames in place; the block starts `framesSinceReset` frames after reset.
    mutating func process(_ frames: UnsafeMutablePointer<SIMD8<Float>>, count: Int, framesSinceReset: Int) {
        // Groups of up to four sections in one loop, each group's states held in registers.
        var first = 0
        while first < sections.count {
            let group = min(4, sections.count - first)
            var a = sections[first]
            var b = group > 1 ? sections[first + 1] : LaneBiquad()
            var c = group > 2 ? sections[first + 2] : LaneBiquad()
            var d = group > 3 ? sections[first + 3] : LaneBiquad()
            LaneFlushPoints.stretches(from: framesSinceReset, count: count, flush: {
                a.flushState()
                b.flushState()
                c.flushState()
                d.flushState()
            }) { start, end in
                switch group {
                case 4: for i in start..<end { frames[i] = d.process(c.process(b.process(a.process(frames[i])))) }
                case 3: for i in start..<end { frames[i] = c.process(b.process(a.process(frames[i]))) }
                case 2: for i in start..<end { frames[i] = b.process(a.process(frames[i])) }
                default: for i in start..<end { frames[i] = a.process(frames[i]) }
                }
            }
            sections[first] = a
            if group > 1 { sections[first + 1] = b }
            if group > 2 { sections[first + 2] = c }
            if group > 3 { sections[first + 3] = d }
            first += group
        }
    }
}
