import Foundation
import MixAnalysis
import MixDSP
import Synchronization

/// The blend: the groups from the first pass's spool, each at the gain the balance chose
/// (`GroupBalance`); room for the lead made in the beat where the recipe asks for it (a bell cut
/// keyed by the lead group, `KeyedDynamicBell`); summed in float and turned down by the recipe's
/// headroom; then the head of
/// the master chain (`MasterChain`: EQ → bus compressor → width) and the bus's loudness, into the
/// bus spool the master passes read. The first pass's meter records are completed as it goes:
/// the pre-master spectrum and scope and the bus compressor's reduction filled in, each track's
/// levels moved by its group's gain (they were metered before the balance was known).
///
/// A pipeline of two: while the master's head runs over a chunk, the pre-master meters, the
/// records and the bus's loudness work on the one before, on their own queue.
final class BlendPass: @unchecked Sendable {
    struct Result {
        /// Integrated loudness of the spooled bus (before the master gain).
        var loudnessLUFS: Double?
        var busCompressorGR: GainReductionStatistics
        /// The cut made in the beat for the lead (nil: none made: no recipe setting, no lead or no beat).
        var leadRoomGR: GainReductionStatistics?
        /// The head's output's long-term spectrum at `ReferenceMatch.frequencies`, when asked for
        /// (a reference to match).
        var headSpectrumDB: [Double?]?
        var preMasterSpectrumDB: [Float]
    }

    private let clock: MeterClock
    private let layout: FrameLayout
    private let capacity: Int
    private let groupCount: Int
    /// Each group's amplitude gain, the blend's headroom included.
    private let groupGains: [Float]
    /// Each track's group gain, centi-dB (its record's levels move by this much) and whole dB
    /// (its spectrum's, in 1 dB steps).
    private let trackCentiDB: [Int]
    private let trackSpectrumDB: [Int]
    private let master: MasterChain
    /// The spooled groups of the chunk at hand, interleaved.
    private let frames: UnsafeMutablePointer<Float>
    /// The blend before the master's head and the head's output, a set of each per slot (the
    /// meters read one while the next is made).
    private let blends: [(left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>)]
    private let heads: [(left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>)]
    private let interleaved: UnsafeMutablePointer<Float>
    /// Each slot's bus compressor reduction per meter period (for the records): slot `s`'s
    /// period `p` at `s · maxPeriods + p`.
    private let periodGRs: UnsafeMutablePointer<Float>
    private let maxPeriods: Int
    /// Room for the lead: the bell on the beat group, its key the lead group (their indices in
    /// the spool), their planar copies at their gains, each period's cut (as `periodGRs`).
    private let leadRoom: (bell: KeyedDynamicBell, lead: Int, beat: Int)?
    private let beatPlanar: (left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>)
    private let leadPlanar: (left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>)
    private let periodLeadRoomGRs: UnsafeMutablePointer<Float>
    private var leadRoomGR = GainReductionStatistics()
    /// The head's output's tonal balance, for reference matching (nil: no reference).
    private let tone: LongTermSpectrum?
    private let mid: UnsafeMutablePointer<Float>
    private let bands: UnsafeMutablePointer<Float>
    private let spectrum: SpectrumAnalyzer
    private let scope: Scope
    private let scopeScratch = ScopeScratch()
    private let loudness: GatedLoudnessMeter
    private var busGR = GainReductionStatistics()
    private var spectrumPowerSum = [Double](repeating: 0, count: FrameLayout.bandCount)

    /// `groups` and `gainsDB`: the spool's groups and each one's gain; `trackGroups`: each track's group.
    init(
        groups: [MixGroup], gainsDB: [Double], trackGroups: [Int], recipe: MixRecipe, basic: Bool, clock: MeterClock,
        layout: FrameLayout, capacity: Int, measuresTone: Bool = false
    ) throws {
        tone = measuresTone ? LongTermSpectrum(sampleRate: Double(clock.sampleRate)) : nil
        self.clock = clock
        self.layout = layout
        self.capacity = capacity
        groupCount = gainsDB.count
        groupGains = gainsDB.map { Float(Decibels.toAmplitude($0 - recipe.blendHeadroomDB)) }
        trackCentiDB = trackGroups.map { Int((gainsDB[$0] * 100).rounded()) }
        trackSpectrumDB = trackGroups.map { Int(gainsDB[$0].rounded()) }
        // The head only: its gain, limiter and dither belong to the master passes.
        master = try MasterChain(
            recipe: recipe, basic: basic, gainDB: 0, bitDepth: 24,
            spec: ProcessSpec(sampleRate: Double(clock.sampleRate), maxFrameCount: capacity))
        frames = .allocate(capacity: 2 * groupCount * capacity)
        blends = (0..<2).map { _ in (.allocate(capacity: capacity), .allocate(capacity: capacity)) }
        heads = (0..<2).map { _ in (.allocate(capacity: capacity), .allocate(capacity: capacity)) }
        interleaved = .allocate(capacity: 2 * capacity)
        maxPeriods = capacity / max(1, clock.longestPeriod - 1) + 2
        periodGRs = .allocate(capacity: 2 * maxPeriods)
        periodGRs.initialize(repeating: 0, count: 2 * maxPeriods)
        periodLeadRoomGRs = .allocate(capacity: 2 * maxPeriods)
        periodLeadRoomGRs.initialize(repeating: 0, count: 2 * maxPeriods)
        if !basic, let settings = recipe.leadRoom, let lead = groups.firstIndex(of: .lead), let beat = groups.firstIndex(of: .beat) {
            leadRoom = (try KeyedDynamicBell(settings, sampleRate: Double(clock.sampleRate)), lead, beat)
        } else {
            leadRoom = nil
        }
        beatPlanar = (.allocate(capacity: capacity), .allocate(capacity: capacity))
        leadPlanar = (.allocate(capacity: capacity), .allocate(capacity: capacity))
        mid = .allocate(capacity: capacity)
        bands = .allocate(capacity: FrameLayout.bandCount)
        spectrum = SpectrumAnalyzer(sampleRate: Double(clock.sampleRate))
        scope = Scope(capacity: clock.scopeCapacity)
        loudness = GatedLoudnessMeter(sampleRate: clock.sampleRate)
    }

    deinit {
        frames.deallocate()
        periodGRs.deallocate()
        periodLeadRoomGRs.deallocate()
        for buffer in blends + heads + [beatPlanar, leadPlanar] {
            buffer.left.deallocate()
            buffer.right.deallocate()
        }
        interleaved.deallocate()
        mid.deallocate()
        bands.deallocate()
    }

    /// Blends the whole song from `groups` into `bus`, completing `records` in place.
    /// `progress` gets the share done. (Its records are not published: the blend takes a
    /// fraction of a second, and a live view that went back to the song's start for it would
    /// only flicker; the writing pass publishes them complete.)
    func run(
        groups spool: Spool, records: Spool, bus: Spool, progress: (Double) -> Void, isCancelled: () -> Bool
    ) throws -> Result {
        spool.rewind()
        records.rewind()
        let chunks = clock.chunks(capacity: capacity)
        let recordBuffers = (0..<2).map { _ in
            Handed(UnsafeMutableRawPointer.allocate(byteCount: maxPeriods * layout.recordBytes, alignment: 8))
        }
        let slotFree = [DispatchSemaphore(value: 1), DispatchSemaphore(value: 1)]
        let queue = DispatchQueue(label: "mixdown.blend-meters")
        let failure = Mutex<(any Error)?>(nil)
        defer {
            queue.sync {}
            for buffer in recordBuffers { buffer.value.deallocate() }
        }
        let frameBytes = 2 * groupCount * MemoryLayout<Float>.size
        let recordBytes = layout.recordBytes
        for (index, chunk) in chunks.enumerated() {
            if isCancelled() { throw MixError.cancelled }
            if let error = failure.withLock({ $0 }) { throw error }
            let slot = index % 2
            // The meters may still be reading this slot's previous chunk.
            slotFree[slot].wait()
            let recordOffset = Int64(chunk.firstFrame) * Int64(recordBytes)
            let recordCount = chunk.periodEnds.count * recordBytes
            let frameCount = chunk.frameCount
            guard spool.read(into: frames, count: frameCount * frameBytes, at: chunk.startFrame * Int64(frameBytes))
                    == frameCount * frameBytes,
                  records.read(into: recordBuffers[slot].value, count: recordCount, at: recordOffset) == recordCount
            else {
                slotFree[slot].signal()
                throw MixError.io("the first pass's temporary files ended early")
            }
            sum(chunk, slot: slot, into: blends[slot])
            let (left, right) = heads[slot]
            left.update(from: blends[slot].left, count: frameCount)
            right.update(from: blends[slot].right, count: frameCount)
            var periodStart = 0
            for (period, periodEnd) in chunk.periodEnds.enumerated() {
                let n = periodEnd - periodStart
                let block = AudioBlock(left: left + periodStart, right: right + periodStart, frameCount: n)
                master.process(block, from: .equalizer, through: .width)
                if let busCompressor = master.busCompressor {
                    periodGRs[slot * maxPeriods + period] = busCompressor.lastGainReduction.maxDB
                    busGR.add(busCompressor.lastGainReduction, frameCount: n)
                }
                periodStart = periodEnd
            }
            for i in 0..<frameCount {
                interleaved[2 * i] = left[i]
                interleaved[2 * i + 1] = right[i]
            }
            do {
                try bus.write(interleaved, count: frameCount * 2 * MemoryLayout<Float>.size)
            } catch {
                // The slot goes back before the error does: a semaphore let go of while taken
                // stops the process.
                slotFree[slot].signal()
                throw error
            }

            let buffer = recordBuffers[slot]
            let handed = Handed(records)
            queue.async { [self] in
                defer { slotFree[slot].signal() }
                guard failure.withLock({ $0 == nil }) else { return }
                do {
                    meter(chunk, slot: slot, records: buffer.value)
                    loudness.add(left: heads[slot].left, right: heads[slot].right, frameCount: frameCount)
                    if let tone {
                        let (headLeft, headRight) = heads[slot]
                        for i in 0..<frameCount { mid[i] = 0.5 * (headLeft[i] + headRight[i]) }
                        tone.add(UnsafeBufferPointer(start: mid, count: frameCount))
                    }
                    try handed.value.write(buffer.value, count: recordCount, at: recordOffset)
                } catch {
                    failure.withLock { $0 = $0 ?? error }
                }
            }
            progress(Double(chunk.startFrame + Int64(frameCount)) / Double(max(1, clock.totalFrameCount)))
        }
        queue.sync {}
        if let error = failure.withLock({ $0 }) { throw error }
        return Result(
            loudnessLUFS: loudness.integratedLUFS, busCompressorGR: busGR, leadRoomGR: leadRoom == nil ? nil : leadRoomGR,
            headSpectrumDB: tone?.smoothedDB(at: ReferenceMatch.frequencies, octaves: ReferenceMatch.smoothingOctaves),
            preMasterSpectrumDB: AverageSpectrum.decibels(powerSum: spectrumPowerSum, count: clock.frameCount))
    }

    /// The chunk's groups (in `frames`) at their gains, summed.
    /// With room for the lead, the beat group is cut first, period by period, keyed by the lead
    /// group (both at their gains), each period's deepest cut kept for its record.
    private func sum(_ chunk: MeterChunk, slot: Int, into blend: (left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>)) {
        let frameCount = chunk.frameCount
        let width = 2 * groupCount
        blend.left.update(repeating: 0, count: frameCount)
        blend.right.update(repeating: 0, count: frameCount)
        for group in 0..<groupCount where group != leadRoom?.beat {
            let gain = groupGains[group]
            for i in 0..<frameCount {
                blend.left[i] += gain * frames[width * i + 2 * group]
                blend.right[i] += gain * frames[width * i + 2 * group + 1]
            }
        }
        guard let (bell, lead, beat) = leadRoom else { return }
        func copy(_ group: Int, into planar: (left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>)) {
            let gain = groupGains[group]
            for i in 0..<frameCount {
                planar.left[i] = gain * frames[width * i + 2 * group]
                planar.right[i] = gain * frames[width * i + 2 * group + 1]
            }
        }
        copy(beat, into: beatPlanar)
        copy(lead, into: leadPlanar)
        var periodStart = 0
        for (period, periodEnd) in chunk.periodEnds.enumerated() {
            let n = periodEnd - periodStart
            bell.process(
                target: (beatPlanar.left + periodStart, beatPlanar.right + periodStart),
                key: (UnsafePointer(leadPlanar.left + periodStart), UnsafePointer(leadPlanar.right + periodStart)), frameCount: n)
            periodLeadRoomGRs[slot * maxPeriods + period] = bell.lastGainReduction.maxDB
            leadRoomGR.add(bell.lastGainReduction, frameCount: n)
            periodStart = periodEnd
        }
        for i in 0..<frameCount {
            blend.left[i] += beatPlanar.left[i]
            blend.right[i] += beatPlanar.right[i]
        }
    }

    /// The pre-master meters over slot `slot`'s blend, period by period, into the chunk's records.
    private func meter(_ chunk: MeterChunk, slot: Int, records: UnsafeMutableRawPointer) {
        let (blendLeft, blendRight) = blends[slot]
        for i in 0..<chunk.frameCount { mid[i] = 0.5 * (blendLeft[i] + blendRight[i]) }
        var periodStart = 0
        for (period, periodEnd) in chunk.periodEnds.enumerated() {
            let n = periodEnd - periodStart
            let bytes = records + period * layout.recordBytes
            let record = FrameRecordWriter(bytes: bytes)
            moveTrackLevels(bytes)
            spectrum.add(UnsafeBufferPointer(start: mid + periodStart, count: n))
            scope.add(left: blendLeft + periodStart, right: blendRight + periodStart, frameCount: n)
            spectrum.spectrum(into: bands)
            record.spectrum(bands, at: layout.preMasterSpectrumOffset)
            AverageSpectrum.accumulate(record, at: layout.preMasterSpectrumOffset, into: &spectrumPowerSum)
            record.uint16(
                FrameQuantizer.centiDBUnsigned(Double(periodGRs[slot * maxPeriods + period])),
                at: layout.masterOffset + FrameLayout.Master.busCompressorGR)
            record.uint16(
                FrameQuantizer.centiDBUnsigned(Double(periodLeadRoomGRs[slot * maxPeriods + period])),
                at: layout.masterOffset + FrameLayout.Master.leadRoomGR)
            record.scope(scope, scratch: scopeScratch, at: layout.scopeOffset(0))
            periodStart = periodEnd
        }
    }

    /// Each track's levels in a record moved by its group's gain: what the track brings to the
    /// blend (before the headroom, as the first pass metered it).
    private func moveTrackLevels(_ record: UnsafeMutableRawPointer) {
        typealias Field = FrameLayout.Track
        for track in trackCentiDB.indices {
            let offset = layout.trackOffset(track)
            let centi = trackCentiDB[track]
            func move(_ field: Int) {
                let bits = Int16(littleEndian: record.load(fromByteOffset: offset + field, as: Int16.self))
                guard bits != FrameQuantizer.none else { return }
                let moved = Int16(clamping: max(-32767, Int(bits) + centi))
                record.storeBytes(of: moved.littleEndian, toByteOffset: offset + field, as: Int16.self)
            }
            if centi != 0 {
                move(Field.rms)
                move(Field.peak)
            }
            let step = trackSpectrumDB[track]
            guard step != 0 else { continue }
            for band in 0..<FrameLayout.bandCount {
                let byte = record.load(fromByteOffset: offset + Field.spectrum + band, as: UInt8.self)
                // 0 is the floor (−120 dB and under): nothing there to move.
                guard byte > 0 else { continue }
                record.storeBytes(of: UInt8(clamping: max(1, Int(byte) + step)), toByteOffset: offset + Field.spectrum + band, as: UInt8.self)
            }
        }
    }
}
