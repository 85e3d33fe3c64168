/// The chain's stages, each a pass over the block in the order `process` calls them.
extension LaneChainBank {

    /// Calls `body(start, end)` for the stretches of `count` frames between the denormal flush
    /// points, `flush()` at each point (where the processors flush theirs).
    @inline(__always)
    func stretches(count: Int, flush: () -> Void, _ body: (Int, Int) -> Void) {
        let interval = StereoBiquad.flushInterval
        var start = 0
        while start < count {
            let phase = (framesSinceReset + start) % interval
            if phase == 0 { flush() }
            let end = min(count, start + interval - phase)
            body(start, end)
            start = end
        }
    }

    func runEqualizer(_ frames: UnsafeMutablePointer<SIMD8<Float>>, count: Int) {
        // Groups of up to four sections in one loop, each group's states held in registers.
        var first = 0
        while first < equalizer.count {
            let group = min(4, equalizer.count - first)
            var a = equalizer[first]
            var b = group > 1 ? equalizer[first + 1] : LaneBiquad()
            var c = group > 2 ? equalizer[first + 2] : LaneBiquad()
            var d = group > 3 ? equalizer[first + 3] : LaneBiquad()
            stretches(count: count, flush: {
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
            equalizer[first] = a
            if group > 1 { equalizer[first + 1] = b }
            if group > 2 { equalizer[first + 2] = c }
            if group > 3 { equalizer[first + 3] = d }
            first += group
        }
    }

    /// In passes, as the compressor runs them: levels and ballistics, then reduction and gain,
    /// then the block's tally of reductions.
    func runCompressor(_ frames: UnsafeMutablePointer<SIMD8<Float>>, count: Int, lanes: SIMDMask<SIMD8<Int32>>) {
        let (levels, makeup) = (self.levels, makeup)
        compressor.detect(frames, into: levels, count: count, stereo: stereoLanes)
        compressor.reduce(levels, count: count)
        for i in 0..<count {
            let x = frames[i]
            frames[i] = x.replacing(with: x * FastMath.amplitude(makeup - levels[i]), where: lanes)
        }
        compressorTally = LaneReductionTally(levels, count: count)
    }

    func runSaturator(_ frames: UnsafeMutablePointer<SIMD8<Float>>, count: Int, lanes: SIMDMask<SIMD8<Int32>>) {
        var oversampler = self.oversampler
        let (drive, wetScale, dry) = (drive, wetScale, dry)
        stretches(count: count, flush: {
            oversampler.flushUp()
            oversampler.flushDown()
        }) { start, end in
            for i in start..<end {
                let x = frames[i]
                let (even, odd) = oversampler.upsample(x)
                // `Saturator.shape` on both frames at twice the rate, written out: the same steps.
                var clampedEven = (drive * even).replacing(with: -3, where: drive * even .< -3)
                clampedEven.replace(with: 3, where: clampedEven .> 3)
                var clampedOdd = (drive * odd).replacing(with: -3, where: drive * odd .< -3)
                clampedOdd.replace(with: 3, where: clampedOdd .> 3)
                let squaredEven = clampedEven * clampedEven, squaredOdd = clampedOdd * clampedOdd
                let numeratorEven: SIMD8<Float> = clampedEven * (27 + squaredEven)
                let numeratorOdd: SIMD8<Float> = clampedOdd * (27 + squaredOdd)
                let denominatorEven: SIMD8<Float> = 27 + 9 * squaredEven
                let denominatorOdd: SIMD8<Float> = 27 + 9 * squaredOdd
                var shapedEven = numeratorEven / denominatorEven, shapedOdd = numeratorOdd / denominatorOdd
                shapedEven.replace(with: -1, where: shapedEven .< -1)
                shapedEven.replace(with: 1, where: shapedEven .> 1)
                shapedOdd.replace(with: -1, where: shapedOdd .< -1)
                shapedOdd.replace(with: 1, where: shapedOdd .> 1)
                let y = oversampler.downsample(even: wetScale * shapedEven + dry * even, odd: wetScale * shapedOdd + dry * odd)
                frames[i] = x.replacing(with: y, where: lanes)
            }
        }
        self.oversampler = oversampler
    }

    /// In passes, as the de-esser runs them: the band and the sidechain's level, then the
    /// reduction and the cut, then the block's tally.
    func runDeEsser(_ frames: UnsafeMutablePointer<SIMD8<Float>>, count: Int, lanes: SIMDMask<SIMD8<Int32>>) {
        var bandFilter = band
        var (s0, s1, s2, s3) = sidechain
        let (levels, sibilance) = (self.levels, self.sibilance)
        stretches(count: count, flush: {
            bandFilter.flushState()
            s0.flushState()
            s1.flushState()
            s2.flushState()
            s3.flushState()
        }) { start, end in
            for i in start..<end {
                let x = frames[i]
                sibilance[i] = bandFilter.process(x)
                levels[i] = s3.process(s2.process(s1.process(s0.process(x))))
            }
        }
        band = bandFilter
        sidechain = (s0, s1, s2, s3)
        deEsser.detect(levels, into: levels, count: count, stereo: stereoLanes)
        deEsser.reduce(levels, count: count)
        for i in 0..<count {
            let x = frames[i]
            let cut = 1 - FastMath.amplitude(-levels[i])
            frames[i] = x.replacing(with: x - cut * sibilance[i], where: lanes)
        }
        deEsserTally = LaneReductionTally(levels, count: count)
    }

    func runAir(_ frames: UnsafeMutablePointer<SIMD8<Float>>, count: Int) {
        guard var shelf = air else { return }
        stretches(count: count, flush: { shelf.flushState() }) { start, end in
            for i in start..<end { frames[i] = shelf.process(frames[i]) }
        }
        air = shelf
    }

    func runWidener(_ frames: UnsafeMutablePointer<SIMD8<Float>>, count: Int, lanes: SIMDMask<SIMD8<Int32>>) {
        // Lanes 0–3 hold the stereo tracks' left channels, 4–7 their right ones: mid and side
        // as `StereoWidener` computes them, on four pairs at once.
        let width = width.lowHalf
        for i in 0..<count {
            let x = frames[i]
            let (left, right) = (x.lowHalf, x.highHalf)
            let mid = 0.5 * (left + right)
            let side = 0.5 * (left - right) * width
            frames[i] = x.replacing(with: SIMD8(lowHalf: mid + side, highHalf: mid - side), where: lanes)
        }
    }
}
