import Foundation
import MixAnalysis
import MixDSP
import Synchronization

/// The first pass: every track through its chain (all tracks at once, in the lanes of
/// `TrackBanks`), the tracks' meters, and the tracks summed by group into a spool
/// (`GroupStage`) with the loudness of the groups and of any blend of them measured, so the
/// blend's gains come from measurements (`GroupBalance`); each meter frame's track parts go to a
/// second spool for the blend pass and the final pass to complete.
///
/// A pipeline of three: while the tracks' meters and the group sums (on their own queue) work on
/// one chunk, the next runs through the chains into the tracks' other set of output buffers, and
/// the one after is read into their other set of input buffers.
final class TrackPass: @unchecked Sendable {
    struct Result {
        /// Each rendered track's integrated loudness (what it brings to the blend, before the
        /// group's gain and the blend's headroom), in the tracks' order.
        var trackLoudnessLUFS: [Double?]
        /// The groups in the spool, each track's group, and their loudness: as mixed, and
        /// without the users' gains on stems (what the balance decides from).
        var groups: [MixGroup]
        var trackGroups: [Int]
        var loudness: BlendLoudness
        var balanceLoudness: BlendLoudness
        /// Each widened track's mono check (nil for the others).
        var monoChecks: [TrackMonoCheck.Reading?]
    }

    /// Each track's (compressor, de-esser) gain reduction over one meter period.
    typealias Readouts = [(compressor: GainReductionReadout?, deEsser: GainReductionReadout?)]

    private let tracks: [TrackRenderer]
    private let banks: TrackBanks
    private let clock: MeterClock
    private let layout: FrameLayout
    private let stage: GroupStage
    private let chunkCapacity: Int
    /// The tracks' loudness, all at once; fed by the group queue, from the tracks' output buffers.
    private let trackLoudness: GatedLoudnessBank
    private let monoCheck: TrackMonoCheck
    private let trackLefts: UnsafeMutablePointer<UnsafePointer<Float>>
    private let trackRights: UnsafeMutablePointer<UnsafePointer<Float>>

    init(tracks: [TrackRenderer], clock: MeterClock, chunkCapacity: Int) throws {
        self.tracks = tracks
        self.clock = clock
        self.chunkCapacity = chunkCapacity
        banks = try TrackBanks(tracks: tracks, sampleRate: clock.sampleRate, maxFrameCount: clock.longestPeriod)
        layout = FrameLayout(trackCount: tracks.count)
        stage = GroupStage(
            roles: tracks.map(\.role), userGainsDB: tracks.map(\.userGainDB), sampleRate: clock.sampleRate,
            expectedFrameCount: Int(clock.totalFrameCount), capacity: chunkCapacity)
        trackLoudness = GatedLoudnessBank(streamCount: tracks.count, sampleRate: clock.sampleRate)
        monoCheck = TrackMonoCheck(tracks: tracks, sampleRate: clock.sampleRate, capacity: chunkCapacity)
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

    /// Bytes of one frame of the group spool.
    var groupFrameBytes: Int { stage.frameBytes }

    /// Renders the whole song into `groups` (interleaved float frames, `groupFrameBytes` each)
    /// and `records` (one record per meter frame, its track parts filled in). `progress` gets
    /// the share done; `publish` each partial record.
    func run(
        groups: Spool, records: Spool, progress: (Double) -> Void,
        publish: (@Sendable (Int, UnsafeRawPointer) -> Void)?, isCancelled: () -> Bool
    ) throws -> Result {
        let maxPeriods = chunkCapacity / max(1, clock.longestPeriod - 1) + 2
        let recordBuffers = (0..<2).map { _ in
            Handed(UnsafeMutableRawPointer.allocate(byteCount: maxPeriods * layout.recordBytes, alignment: 8))
        }
        let slotFree = [DispatchSemaphore(value: 1), DispatchSemaphore(value: 1)]
        let queue = DispatchQueue(label: "mixdown.groups")
        let failure = Mutex<(any Error)?>(nil)
        defer {
            queue.sync {}
            for buffer in recordBuffers { buffer.value.deallocate() }
        }
        let chunks = clock.chunks(capacity: chunkCapacity)
        readChunk(chunks[0], slot: 0)
        for (index, chunk) in chunks.enumerated() {
            if isCancelled() { throw MixError.cancelled }
            if let error = failure.withLock({ $0 }) { throw error }
            let slot = index % 2
            let buffer = recordBuffers[slot]
            // The group stage may still be reading this slot's previous chunk.
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
            let (firstFrame, ends, recordBytes, masterOffset) = (chunk.firstFrame, chunk.periodEnds, layout.recordBytes, layout.masterOffset)
            // Written only by the group stage's queue.
            let spools = Handed((groups: groups, records: records))
            queue.async { [self] in
                defer { slotFree[slot].signal() }
                guard failure.withLock({ $0 == nil }) else { return }
                do {
                    buffer.value.initializeMemory(as: UInt8.self, repeating: 0, count: ends.count * recordBytes)
                    meterTracks(slot: slot, periodEnds: ends, readouts: readouts.value, records: buffer.value)
                    for period in ends.indices {
                        // The master's levels come in the final pass; until then they read "none", not 0 dB.
                        let record = FrameRecordWriter(bytes: buffer.value + period * recordBytes)
                        for field in FrameLayout.Master.levelFields { record.int16(FrameQuantizer.none, at: masterOffset + field) }
                    }
                    try stage.add(tracks: tracks, slot: slot, frameCount: ends.last!, to: spools.value.groups)
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
        return Result(
            trackLoudnessLUFS: tracks.indices.map { trackLoudness.integratedLUFS(stream: $0) }, groups: stage.groups,
            trackGroups: stage.trackGroups, loudness: stage.loudness, balanceLoudness: stage.balanceLoudness,
            monoChecks: monoCheck.readings(trackCount: tracks.count))
    }

    /// Reads every track over `chunk` into its input set `slot`.
    private func readChunk(_ chunk: MeterChunk, slot: Int) {
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
        monoCheck.add(tracks: tracks, slot: slot, frameCount: periodEnds.last ?? 0)
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
