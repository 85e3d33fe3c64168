import Foundation
import MixAnalysis
import MixDSP
import Synchronization

/// The first pass: every track through its chain (on all cores), the blend with headroom, and
/// the master's level-independent stages (EQ → bus compressor → width). The result goes to a
/// spool of interleaved float frames with its loudness measured, so the master gain comes from
/// a measurement, not a guess; each meter frame's track and pre-master parts go to a second
/// spool for the final pass to complete.
///
/// A pipeline of two: while the blend and bus stage (`BusStage`, on its own queue) work on one
/// chunk, the tracks render the next into their other set of buffers.
final class BusRenderer: @unchecked Sendable {
    struct Result {
        /// Integrated loudness of the spooled bus (before the master gain).
        var loudnessLUFS: Double?
        var busCompressorGR: GainReductionStatistics
        var preMasterSpectrumDB: [Float]
    }

    private let tracks: [TrackRenderer]
    private let clock: MeterClock
    private let layout: FrameLayout
    private let stage: BusStage
    private let chunkCapacity: Int
    private let concurrency: Int

    init(tracks: [TrackRenderer], recipe: MixRecipe, basic: Bool, clock: MeterClock, chunkCapacity: Int, concurrency: Int) throws {
        self.tracks = tracks
        self.clock = clock
        self.chunkCapacity = chunkCapacity
        self.concurrency = concurrency
        layout = FrameLayout(trackCount: tracks.count)
        stage = try BusStage(
            tracks: tracks, recipe: recipe, basic: basic, clock: clock, layout: layout, capacity: chunkCapacity)
    }

    /// Renders the whole song into `bus` (interleaved float frames) and `records` (one partial
    /// meter record per frame). `progress` gets the share done; `publish` each partial record.
    func run(
        bus: Spool, records: Spool, progress: (Double) -> Void,
        publish: (@Sendable (Int, UnsafeRawPointer) -> Void)?, isCancelled: () -> Bool
    ) throws -> Result {
        let maxPeriods = chunkCapacity / max(1, clock.longestPeriod - 1) + 2
        let recordBuffers = (0..<2).map { _ in
            UncheckedPointer(.allocate(byteCount: maxPeriods * layout.recordBytes, alignment: 8))
        }
        let slotFree = [DispatchSemaphore(value: 1), DispatchSemaphore(value: 1)]
        let queue = DispatchQueue(label: "mixdown.bus")
        let failure = Mutex<(any Error)?>(nil)
        defer {
            queue.sync {}
            for buffer in recordBuffers { buffer.pointer.deallocate() }
        }
        let frameCount = clock.frameCount
        var nextFrame = 0
        var slot = 0
        while nextFrame < frameCount {
            if isCancelled() { throw MixError.cancelled }
            if let error = failure.withLock({ $0 }) { throw error }
            // A chunk: whole meter frames, at most `chunkCapacity` audio frames.
            let chunkStart = clock.start(of: nextFrame)
            var periodEnds: [Int] = []
            var lastFrame = nextFrame
            while lastFrame < frameCount, clock.end(of: lastFrame) - chunkStart <= Int64(chunkCapacity) {
                periodEnds.append(Int(clock.end(of: lastFrame) - chunkStart))
                lastFrame += 1
            }
            let buffer = recordBuffers[slot]
            // The bus stage may still be reading this slot's previous chunk.
            slotFree[slot].wait()
            buffer.pointer.initializeMemory(as: UInt8.self, repeating: 0, count: periodEnds.count * layout.recordBytes)
            renderTracks(slot: slot, periodEnds: periodEnds, records: buffer.pointer)
            let (chunkSlot, firstFrame, ends, recordBytes) = (slot, nextFrame, periodEnds, layout.recordBytes)
            let spools = UncheckedSpools(bus: bus, records: records)
            queue.async { [stage] in
                defer { slotFree[chunkSlot].signal() }
                guard failure.withLock({ $0 == nil }) else { return }
                do {
                    try stage.blend(slot: chunkSlot, periodEnds: ends, records: buffer.pointer, bus: spools.bus)
                    try spools.records.write(buffer.pointer, count: ends.count * recordBytes)
                    if let publish {
                        for period in ends.indices { publish(firstFrame + period, buffer.pointer + period * recordBytes) }
                    }
                } catch {
                    failure.withLock { $0 = $0 ?? error }
                }
            }
            nextFrame = lastFrame
            slot = 1 - slot
            progress(Double(chunkStart + Int64(periodEnds.last!)) / Double(max(1, clock.totalFrameCount)))
        }
        queue.sync {}
        if let error = failure.withLock({ $0 }) { throw error }
        return stage.result(frameCount: frameCount)
    }

    /// Renders every track over the chunk into buffer set `slot`, in parallel: each track writes
    /// its own output buffers and its own bytes of each record, so the workers share nothing.
    private func renderTracks(slot: Int, periodEnds: [Int], records: UnsafeMutableRawPointer) {
        let recordBytes = layout.recordBytes
        let layout = self.layout
        let work = { @Sendable (index: Int, track: TrackRenderer, records: UnsafeMutableRawPointer) in
            var start = 0
            for (period, end) in periodEnds.enumerated() {
                track.render(slot: slot, from: start, frameCount: end - start)
                track.finishPeriod(
                    into: FrameRecordWriter(bytes: records + period * recordBytes), offset: layout.trackOffset(index))
                start = end
            }
        }
        let records = UncheckedPointer(records)
        if concurrency > 1, tracks.count > 1 {
            let tracks = self.tracks
            DispatchQueue.concurrentPerform(iterations: tracks.count) { index in
                work(index, tracks[index], records.pointer)
            }
        } else {
            for (index, track) in tracks.enumerated() { work(index, track, records.pointer) }
        }
    }
}

/// The spools, written only by the bus stage's queue.
struct UncheckedSpools: @unchecked Sendable {
    let bus: Spool
    let records: Spool
}

/// A raw pointer handed to worker threads that write disjoint bytes of it.
struct UncheckedPointer: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer

    init(_ pointer: UnsafeMutableRawPointer) {
        self.pointer = pointer
    }
}
