import Foundation
import MixAnalysis
import MixDSP
import Synchronization

/// The first pass: every track through its chain (all tracks at once, in the lanes of
/// `TrackBanks`), the blend with headroom, and the master's level-independent stages (EQ → bus
/// compressor → width). The result goes to a spool of interleaved float frames with its
/// loudness measured, so the master gain comes from a measurement, not a guess; each meter
/// frame's track and pre-master parts go to a second spool for the final pass to complete.
///
/// A pipeline of three: while the tracks' meters, the blend and the bus stage (`BusStage`, on its
/// own queue) work on one chunk, the next runs through the chains into the tracks' other set of
/// output buffers, and the one after is read into their other set of input buffers.
final class BusRenderer: @unchecked Sendable {
    struct Result {
        /// Integrated loudness of the spooled bus (before the master gain).
        var loudnessLUFS: Double?
        /// Each rendered track's integrated loudness (what it brings to the mix, before the
        /// blend's headroom), in the tracks' order.
        var trackLoudnessLUFS: [Double?]
        /// The balance as mixed, at the blend (`BalanceMeters`).
        var balance: BalanceMeters.Reading
        var busCompressorGR: GainReductionStatistics
        var preMasterSpectrumDB: [Float]
    }

    /// Each track's (compressor, de-esser) gain reduction over one meter period.
    typealias Readouts = [(compressor: GainReductionReadout?, deEsser: GainReductionReadout?)]

    private let tracks: [TrackRenderer]
    private let banks: TrackBanks
    private let clock: MeterClock
    private let layout: FrameLayout
    private let stage: BusStage
    private let chunkCapacity: Int
    /// The tracks' loudness, all at once; fed by the bus queue, from the tracks' output buffers.
    private let trackLoudness: GatedLoudnessBank
    private let trackLefts: UnsafeMutablePointer<UnsafePointer<Float>>
    private let trackRights: UnsafeMutablePointer<UnsafePointer<Float>>

    init(tracks: [TrackRenderer], recipe: MixRecipe, basic: Bool, clock: MeterClock, chunkCapacity: Int) throws {
        self.tracks = tracks
        self.clock = clock
        self.chunkCapacity = chunkCapacity
        banks = try TrackBanks(tracks: tracks, sampleRate: clock.sampleRate, maxFrameCount: clock.longestPeriod)
        layout = FrameLayout(trackCount: tracks.count)
        stage = try BusStage(
            tracks: tracks, recipe: recipe, basic: basic, clock: clock, layout: layout, capacity: chunkCapacity)
        trackLoudness = GatedLoudnessBank(streamCount: tracks.count, sampleRate: clock.sampleRate)
        trackLefts = .allocate(capacity: tracks.count)
        trackRights = .allocate(capacity: tracks.count)
        for (index, track) in tracks.enumerated() {
            (trackLefts + index).initialize(to: UnsafePointer(track.output(0).left))
            (trackRights + index).initialize(to: UnsafePointer(track.output(0).right))
        }
    }

    deinit {
        trackLefts.deallocate()
        trackRights.deallocate()
    }

    /// Renders the whole song into `bus` (interleaved float frames) and `records` (one partial
    /// meter record per frame). `progress` gets the share done; `publish` each partial record.
    func run(
        bus: Spool, records: Spool, progress: (Double) -> Void,
        publish: (@Sendable (Int, UnsafeRawPointer) -> Void)?, isCancelled: () -> Bool
    ) throws -> Result {
        let maxPeriods = chunkCapacity / max(1, clock.longestPeriod - 1) + 2
        let recordBuffers = (0..<2).map { _ in
            Handed(UnsafeMutableRawPointer.allocate(byteCount: maxPeriods * layout.recordBytes, alignment: 8))
        }
        let slotFree = [DispatchSemaphore(value: 1), DispatchSemaphore(value: 1)]
        let queue = DispatchQueue(label: "mixdown.bus")
        let failure = Mutex<(any Error)?>(nil)
        defer {
            queue.sync {}
            for buffer in recordBuffers { buffer.value.deallocate() }
        }
        let chunks = chunkPlan()
        readChunk(chunks[0], slot: 0)
        for (index, chunk) in chunks.enumerated() {
            if isCancelled() { throw MixError.cancelled }
            if let error = failure.withLock({ $0 }) { throw error }
            let slot = index % 2
            let buffer = recordBuffers[slot]
            // The bus stage may still be reading this slot's previous chunk.
            slotFree[slot].wait()
            // The chains run this chunk while the next one is read into the other input set.
            let readouts = Box<[Readouts]>([])
            if index + 1 < chunks.count {
                let next = chunks[index + 1]
                DispatchQueue.concurrentPerform(iterations: 2) { task in
                    if task == 0 {
                        readouts.value = renderTracks(slot: slot, periodEnds: chunk.periodEnds)
                    } else {
                        readChunk(next, slot: 1 - slot)
                    }
                }
            } else {
                readouts.value = renderTracks(slot: slot, periodEnds: chunk.periodEnds)
            }
            let (firstFrame, ends, recordBytes) = (chunk.firstFrame, chunk.periodEnds, layout.recordBytes)
            // Written only by the bus stage's queue.
            let spools = Handed((bus: bus, records: records))
            queue.async { [self] in
                defer { slotFree[slot].signal() }
                guard failure.withLock({ $0 == nil }) else { return }
                do {
                    buffer.value.initializeMemory(as: UInt8.self, repeating: 0, count: ends.count * recordBytes)
                    meterTracks(slot: slot, periodEnds: ends, readouts: readouts.value, records: buffer.value)
                    try stage.blend(slot: slot, periodEnds: ends, records: buffer.value, bus: spools.value.bus)
                    try spools.value.records.write(buffer.value, count: ends.count * recordBytes)
                    if let publish {
                        for period in ends.indices { publish(firstFrame + period, buffer.value + period * recordBytes) }
                    }
                } catch {
                    failure.withLock { $0 = $0 ?? error }
                }
            }
            progress(Double(chunk.startFrame + Int64(ends.last!)) / Double(max(1, clock.totalFrameCount)))
        }
        queue.sync {}
        if let error = failure.withLock({ $0 }) { throw error }
        return stage.result(
            frameCount: clock.frameCount, trackLoudnessLUFS: tracks.indices.map { trackLoudness.integratedLUFS(stream: $0) })
    }

    /// A chunk of the song: whole meter frames, at most `chunkCapacity` audio frames.
    struct Chunk {
        /// Its first meter frame, and the audio frame that frame starts at.
        var firstFrame: Int
        var startFrame: Int64
        /// Where each of its meter frames ends, in frames from the chunk's start.
        var periodEnds: [Int]
    }

    /// The song cut into chunks.
    private func chunkPlan() -> [Chunk] {
        var chunks: [Chunk] = []
        var nextFrame = 0
        while nextFrame < clock.frameCount {
            let start = clock.start(of: nextFrame)
            var ends: [Int] = []
            var lastFrame = nextFrame
            while lastFrame < clock.frameCount, clock.end(of: lastFrame) - start <= Int64(chunkCapacity) {
                ends.append(Int(clock.end(of: lastFrame) - start))
                lastFrame += 1
            }
            chunks.append(Chunk(firstFrame: nextFrame, startFrame: start, periodEnds: ends))
            nextFrame = lastFrame
        }
        return chunks
    }

    /// Reads every track over `chunk` into its input set `slot`.
    private func readChunk(_ chunk: Chunk, slot: Int) {
        for track in tracks { track.read(slot: slot, from: 0, frameCount: chunk.periodEnds.last!) }
    }

    /// Runs the chains over the chunk in input set `slot` into output set `slot`, a meter period
    /// at a time; returns each period's gain reductions.
    private func renderTracks(slot: Int, periodEnds: [Int]) -> [Readouts] {
        var readouts: [Readouts] = []
        readouts.reserveCapacity(periodEnds.count)
        var period = Readouts(repeating: (nil, nil), count: tracks.count)
        var start = 0
        for end in periodEnds {
            banks.process(tracks, slot: slot, from: start, frameCount: end - start, readouts: &period)
            readouts.append(period)
            start = end
        }
        return readouts
    }

    /// Each track's meters over the chunk in buffer set `slot`, into each period's record.
    private func meterTracks(slot: Int, periodEnds: [Int], readouts: [Readouts], records: UnsafeMutableRawPointer) {
        for (index, track) in tracks.enumerated() {
            let output = track.output(slot)
            trackLefts[index] = UnsafePointer(output.left)
            trackRights[index] = UnsafePointer(output.right)
        }
        trackLoudness.add(left: trackLefts, right: trackRights, frameCount: periodEnds.last ?? 0)
        for (index, track) in tracks.enumerated() {
            var start = 0
            for (period, end) in periodEnds.enumerated() {
                let gainReductions = readouts[period][index]
                track.meter(
                    slot: slot, from: start, frameCount: end - start, compressorGR: gainReductions.compressor,
                    deEsserGR: gainReductions.deEsser)
                track.finishPeriod(
                    into: FrameRecordWriter(bytes: records + period * layout.recordBytes), offset: layout.trackOffset(index))
                start = end
            }
        }
    }
}
