/// A cascade of stereo biquads run four sections at a time in one loop over the block: each
/// section's state stays in registers, and the processor overlaps the sections' dependency
/// chains instead of waiting on one section per pass (3× faster than a pass per section).
@usableFromInline
struct StereoBiquadCascade {
    @usableFromInline var sections: [StereoBiquad]
    /// Sections in use (the rest are allocated but idle).
    @usableFromInline var activeCount: Int

    @usableFromInline init(capacity: Int) {
        sections = [StereoBiquad](repeating: StereoBiquad(), count: capacity)
        activeCount = 0
    }

    @usableFromInline mutating func reset() {
        for index in sections.indices { sections[index].reset() }
    }

    @usableFromInline mutating func process(_ block: AudioBlock) {
        var start = 0
        while start < activeCount {
            let count = min(4, activeCount - start)
            switch count {
            case 4: processFour(block, from: start)
            default:
                for index in start..<start + count { sections[index].process(block) }
            }
            start += count
        }
    }

    @inline(__always)
    private mutating func processFour(_ block: AudioBlock, from start: Int) {
        var a = sections[start], b = sections[start + 1], c = sections[start + 2], d = sections[start + 3]
        let (left, right) = (block.left, block.right)
        for i in 0..<block.frameCount {
            let x = SIMD2(left[i], right[i])
            let y = d.process(c.process(b.process(a.process(x))))
            left[i] = y.x
            if block.channelCount == 2 { right[i] = y.y }
        }
        a.state1 = StereoBiquad.flushDenormals(a.state1); a.state2 = StereoBiquad.flushDenormals(a.state2)
        b.state1 = StereoBiquad.flushDenormals(b.state1); b.state2 = StereoBiquad.flushDenormals(b.state2)
        c.state1 = StereoBiquad.flushDenormals(c.state1); c.state2 = StereoBiquad.flushDenormals(c.state2)
        d.state1 = StereoBiquad.flushDenormals(d.state1); d.state2 = StereoBiquad.flushDenormals(d.state2)
        sections[start] = a; sections[start + 1] = b; sections[start + 2] = c; sections[start + 3] = d
    }
}
