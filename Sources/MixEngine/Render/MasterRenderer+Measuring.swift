import Dispatch
import MixAnalysis
import MixDSP
import Synchronization

extension MasterRenderer {
    /// The integrated loudness of the master at `gainDB` (gain → true-peak limiter), measured
    /// over the spooled bus in `partCount` parts at once, one per core. `progress` gets the share
    /// done (of the first part, which all keep pace with).
    ///
    /// Each part after the first starts its own limiter and loudness meter `warmUpSeconds`
    /// early, on the audio before it, so the limiter's gain and the K-weighting filters have
    /// settled on what a single pass would have by then; what they measured during the warm-up
    /// is discarded, and the gating blocks of all parts are gated together
    /// (`GatedLoudnessMeter.integratedLUFS(combining:)`). The loudness only steers the next
    /// pass's gain: the file that is kept is measured on its own samples.
    func measureLoudness(
        gainDB: Double, bus: Spool, partCount: Int, progress: (Double) -> Void, isCancelled: () -> Bool
    ) throws -> Double? {
        let rate = clock.sampleRate
        let total = clock.totalFrameCount
        let step = Int64(GatedLoudnessMeter(sampleRate: rate).stepFrameCount)
        let warmUpFrames = Int64((Self.measuringWarmUpSeconds(recipe.limiterSettings.releaseMs) * Double(rate)).rounded(.up))
        let warmUp = (warmUpFrames + step - 1) / step * step
        // Parts start on 100 ms steps, so every part's gating blocks fall on the single pass's.
        let parts = max(1, min(partCount, Int(total / max(1, 4 * warmUp))))
        let starts = (0...parts).map { part -> Int64 in
            part == parts ? total : Int64(part) * total / Int64(parts) / step * step
        }
        bus.rewind()
        let meters = (0..<parts).map { _ in GatedLoudnessMeter(sampleRate: rate) }
        let failure = Mutex<(any Error)?>(nil)
        // The first part runs here and asks `isCancelled`; the others, on worker threads,
        // follow its answer.
        let stop = Atomic<Bool>(false)
        // Each part uses its own meter and limiter, and the spool only through `pread`.
        let work = Handed((renderer: self, bus: bus, meters: meters))
        let others = DispatchGroup()
        for part in 1..<parts {
            DispatchQueue.global().async(group: others) {
                do {
                    try work.value.renderer.measurePart(
                        from: starts[part], to: starts[part + 1], warmUpFrames: min(warmUp, starts[part]), gainDB: gainDB,
                        bus: work.value.bus, meter: work.value.meters[part], isCancelled: { stop.load(ordering: .relaxed) }, progress: { _ in })
                } catch {
                    failure.withLock { $0 = $0 ?? error }
                }
            }
        }
        do {
            try measurePart(
                from: starts[0], to: starts[1], warmUpFrames: 0, gainDB: gainDB, bus: bus, meter: meters[0],
                isCancelled: {
                    let cancelled = isCancelled()
                    if cancelled { stop.store(true, ordering: .relaxed) }
                    return cancelled
                },
                progress: { progress(Double($0) / Double(max(1, starts[1]))) })
        } catch {
            stop.store(true, ordering: .relaxed)
            others.wait()
            throw error
        }
        others.wait()
        if let error = failure.withLock({ $0 }) { throw error }
        progress(1)
        return GatedLoudnessMeter.integratedLUFS(combining: meters)
    }

    /// How long a part's limiter runs before its part counts: ten release time constants
    /// (what is left of any earlier gain difference is then under 0.005 %), at least a second.
    static func measuringWarmUpSeconds(_ releaseMs: Double) -> Double {
        max(1, 10 * releaseMs / 1000)
    }

    /// One part: bus frames `start..<end` through gain and limiter into `meter`, after
    /// `warmUpFrames` frames before `start` that only settle the limiter and the meter's filters.
    private func measurePart(
        from start: Int64, to end: Int64, warmUpFrames: Int64, gainDB: Double, bus: Spool, meter: GatedLoudnessMeter,
        isCancelled: () -> Bool, progress: (Int64) -> Void
    ) throws {
        let master = try MasterChain(
            recipe: recipe, basic: basic, gainDB: gainDB, bitDepth: format.bitDepth,
            spec: ProcessSpec(sampleRate: Double(clock.sampleRate), maxFrameCount: capacity), matchBands: matchBands)
        let source = LimitedBus(
            bus: bus, from: start - warmUpFrames, totalFrameCount: clock.totalFrameCount, master: master, capacity: capacity)
        // The bus frame the source's next block stands for. The meter forgets
        // the warm-up three 100 ms steps before the part, where the first gating block that
        // reaches into the part begins.
        var position = start - warmUpFrames
        let meterStart = warmUpFrames > 0 ? start - 3 * Int64(meter.stepFrameCount) : start
        var blocks = 0
        while position < end {
            if blocks % 16 == 0, isCancelled() { throw MixError.cancelled }
            let target = position < meterStart ? meterStart : end
            let n = Int(min(Int64(capacity), target - position))
            source.pull(n)
            meter.add(left: source.left, right: source.right, frameCount: n)
            position += Int64(n)
            if position == meterStart, warmUpFrames > 0 { meter.discardMeasurements() }
            blocks += 1
            if blocks % 8 == 0 { progress(max(0, position - start)) }
        }
        progress(end - start)
    }
}
