import Foundation
import MixAnalysis
import MixDSP

/// Renders an inspected session to a mastered file, its meter frames and its summary.
///
/// Passes over the audio, streamed in blocks: the first renders every track and sums them by
/// group into a spool, the groups' loudness measured; the balance gives each group its gain; the
/// blend sums the groups at their gains and runs the master's level-independent stages into a
/// second spool, its loudness measured; the master passes take it from there (gain → true-peak
/// limiter → dither): measuring passes until the gain settles, then writing, again with a
/// corrected gain until the written file measures on target. The exported file is checked by
/// meters independent of the limiter, run on its samples as it is written and held against a
/// decode of the closed file (`OutputVerifier`), before it is put in place; one that breaks the
/// ceiling is removed and reported as an error.
public struct MixRenderer: Sendable {
    /// Where the render writes: the mix, its frames and its summary.
    public struct Destination: Sendable {
        public var mixURL: URL
        public var framesURL: URL
        public var summaryURL: URL

        /// The frames and summary next to `mixURL`: `song.wav` → `song.frames`, `song.summary.json`.
        public init(mixURL: URL) {
            self.mixURL = mixURL
            let base = mixURL.deletingPathExtension()
            framesURL = base.appendingPathExtension("frames")
            summaryURL = URL(fileURLWithPath: base.path + ".summary.json")
        }
    }

    public var options: MixOptions
    /// Mix the usable stems when some are rejected (they are listed in the summary).
    public var skipInvalid: Bool
    /// Whether `options` are already `prepared` (intensity applied, the reference's target set).
    private var prepared = false

    public init(options: MixOptions, skipInvalid: Bool = false) {
        self.options = options
        self.skipInvalid = skipInvalid
    }

    /// Renders `inspection` to `destination`. `progress` gets the stage and the share done;
    /// `frames` (optional) gets meter frames as they are made. Checks `isCancelled` between blocks.
    public func render(
        _ inspection: SessionInspection, to destination: Destination,
        progress: @escaping (MixProgress) -> Void = { _ in }, frames: (any MeterFrameSink)? = nil,
        isCancelled: @escaping () -> Bool = { Task.isCancelled }
    ) throws -> MixSummary {
        guard prepared else {
            // The chains are built from the presets and the recipe at the mix's intensity, the
            // master aimed at the reference's loudness when there is one.
            var renderer = self
            renderer.options = options.prepared
            renderer.prepared = true
            return try renderer.render(inspection, to: destination, progress: progress, frames: frames, isCancelled: isCancelled)
        }
        defer { frames?.finish() }
        // Progress never goes back, even when a pass is written again.
        var highest = 0.0
        func report(_ update: MixProgress) {
            highest = max(highest, update.fraction)
            progress(MixProgress(stage: update.stage, fraction: highest))
        }
        let started = Date()
        var timing = StageTiming()
        let rejected = inspection.rejectedStems
        if !rejected.isEmpty, !skipInvalid {
            throw MixError.rejectedStems(rejected.compactMap(\.rejectionMessage))
        }
        let usable = inspection.usableStems
        let muted = usable.filter { options.mutedStems.contains($0.id) }.map(\.fileName)
        let stems = usable.filter { !options.mutedStems.contains($0.id) }
        guard !stems.isEmpty else {
            throw MixError.nothingToMix(
                usable.isEmpty ? "no usable stem in the session" : "every stem is muted")
        }
        report(MixProgress(stage: .loading, fraction: RenderProgress.loading))
        let rate = inspection.sessionRate
        let sessionFrameCount = stems.map { stem in
            StreamingResampler.outputFrameCount(
                forInputFrameCount: stem.frameCount ?? 0, inputRate: stem.sampleRate ?? rate, outputRate: rate)
        }.max() ?? 0
        guard sessionFrameCount > 0 else { throw MixError.nothingToMix("the stems hold no audio") }
        let clock = MeterClock(sampleRate: rate, framesPerSecond: options.framesPerSecond, totalFrameCount: sessionFrameCount)
        let capacity = max(8192, clock.longestPeriod)
        let tracks = try stems.map { stem -> TrackRenderer in
            guard let url = stem.url else { throw MixError.io("\(stem.fileName): the file's location is unknown") }
            do {
                return try TrackRenderer(
                    stem: stem, url: url, preset: options.presets[stem.role.role] ?? RolePreset(targetLUFS: -20),
                    userGainDB: options.stemGainsDB[stem.id] ?? 0, basic: options.basic,
                    sessionRate: rate, sessionFrameCount: sessionFrameCount, maxFrameCount: capacity)
            } catch let rejection as InputRejection {
                throw MixError.io("\(stem.fileName): \(rejection.reason)")
            }
        }
        let header = FrameFileHeader(
            framesPerSecond: options.framesPerSecond, sampleRate: rate, frameCount: clock.frameCount,
            tracks: stems.map { .init(name: $0.fileName, role: $0.role.role, id: $0.id) }, framesPerChunk: options.framesPerSecond)
        let layout = FrameLayout(trackCount: tracks.count)
        frames?.begin(header)
        let workDirectory = destination.mixURL.deletingLastPathComponent()
        let records = try Spool(directory: workDirectory, name: "meters")
        let publish = frames.map { stream in
            { @Sendable (index: Int, record: UnsafeRawPointer, complete: Bool) in
                guard stream.wantsFrame(isLast: complete && index == header.frameCount - 1) else { return }
                stream.publish(record: UnsafeRawBufferPointer(start: record, count: layout.recordBytes), index: index, isComplete: complete)
            }
        }

        // Pass 1: every track through its chain, metered, summed by group.
        report(MixProgress(stage: .processingTracks, fraction: RenderProgress.tracks.start))
        var groupSpool: Spool? = try Spool(directory: workDirectory, name: "groups")
        let trackPass = try TrackPass(tracks: tracks, clock: clock, chunkCapacity: capacity)
        let trackResult = try trackPass.run(
            groups: groupSpool!, records: records,
            progress: { report(MixProgress(stage: .processingTracks, fraction: RenderProgress.tracks.at($0))) },
            publish: publish.map { publish in { @Sendable in publish($0, $1, false) } }, isCancelled: isCancelled)
        timing.mark("pass 1: tracks, their meters, the groups")

        // The balance: each group's gain, from the groups' loudness after their chains (the
        // users' gains on stems apply on top of it).
        let balance = options.basic
            ? GroupBalance.Decision.unbalanced("the basic mix keeps the roles' gains", loudness: [:])
            : options.recipe.balance.decide(groups: trackResult.groups) { trackResult.balanceLoudness.integratedLUFS(gains: $0) }
        let groupGainsDB = trackResult.groups.map { balance.gainDB[$0] ?? 0 }

        // The blend: the groups at their gains, summed, and the master's EQ, bus compressor and width.
        report(MixProgress(stage: .mixing, fraction: RenderProgress.blend.start))
        let bus = try Spool(directory: workDirectory, name: "bus")
        let busResult = try BlendPass(
            groups: trackResult.groups, gainsDB: groupGainsDB, trackGroups: trackResult.trackGroups, recipe: options.recipe,
            basic: options.basic, clock: clock, layout: layout, capacity: capacity,
            measuresTone: options.reference != nil && !options.basic
        ).run(
            groups: groupSpool!, records: records, bus: bus,
            progress: { report(MixProgress(stage: .mixing, fraction: RenderProgress.blend.at($0))) }, isCancelled: isCancelled)
        // The groups' spool (three times the bus's size) goes before the master passes.
        groupSpool = nil
        timing.mark("blend, the master's head, the bus")

        // A reference: the EQ that moves the head's tonal balance to the reference's. The bus's
        // loudness was measured without it; the gain search's measuring passes run it.
        let match = options.basic ? nil : options.reference.flatMap { reference in
            busResult.headSpectrumDB.flatMap { ReferenceMatch(mix: $0, reference: reference.spectrumDB, sampleRate: Double(rate)) }
        }
        let matchBands = match?.bands ?? []

        // Pass 2: the master to the target, passes decided by the gain search, each one's
        // result measured on the master's output (the written file's, read back, for a file).
        let plan = try LoudnessPlan(recipe: options.recipe, basic: options.basic, busLoudnessLUFS: busResult.loudnessLUFS)
        let limiterShare = options.recipe.intensity?.limiter ?? 1
        var search = MasterGainSearch(plan: plan, basic: options.basic, limiterShare: limiterShare)
        func master(ceilingTrimDB: Double) -> MasterRenderer {
            var aimed = options.recipe
            aimed.ceilingDBTP -= ceilingTrimDB
            return MasterRenderer(
                recipe: aimed, format: options.format, basic: options.basic, clock: clock, layout: layout, capacity: capacity,
                matchBands: matchBands)
        }
        // The master with no limiter (the basic mix's tail: gain → dither), for the probe of its
        // true peak and for writing at 0 % limiter intensity.
        let unlimited = MasterRenderer(
            recipe: options.recipe, format: options.format, basic: true, clock: clock, layout: layout, capacity: capacity,
            matchBands: matchBands)
        var renderer = master(ceilingTrimDB: 0)
        var aimTrimDB = 0.0
        var masteringEnd = RenderProgress.mastering.start
        var kept: WrittenPass?
        var step = search.start()
        passes: while true {
            switch step {
            case .probePeak(let gainDB):
                let span = RenderProgress.nextMasteringSpan(after: &masteringEnd, share: RenderProgress.probeShare)
                let probe = try unlimited.run(
                    gainDB: gainDB, bus: bus, output: nil,
                    progress: { report(MixProgress(stage: .mastering, fraction: span.at($0))) },
                    isCancelled: isCancelled)
                timing.mark("master pass \(search.passes) (probing the peak)")
                step = search.probed(truePeakDBTP: probe.truePeakDBTP)

            case .measure(let gainDB):
                let span = RenderProgress.nextMasteringSpan(after: &masteringEnd, share: RenderProgress.measuringShare)
                let loudness = try renderer.measureLoudness(
                    gainDB: gainDB, bus: bus, partCount: options.concurrency,
                    progress: { report(MixProgress(stage: .mastering, fraction: span.at($0))) },
                    isCancelled: isCancelled)
                timing.mark("master pass \(search.passes) (measuring)")
                step = search.measured(loudnessLUFS: loudness)

            case .write(let gainDB, let ceilingTrimDB):
                if ceilingTrimDB != aimTrimDB {
                    renderer = master(ceilingTrimDB: ceilingTrimDB)
                    aimTrimDB = ceilingTrimDB
                }
                // The file of an earlier pass goes before this one is written.
                kept = nil
                // The job says it is exporting before the first of the pass's frames is
                // published, so a watcher never sees a frame of it with an earlier state.
                let span = RenderProgress.exporting
                report(MixProgress(stage: .exporting, fraction: span.start))
                let written = try write(
                    search.usesLimiter ? renderer : unlimited, gainDB: gainDB, bus: bus, records: records,
                    destination: destination, header: header, rate: rate, publish: publish,
                    progress: { report(MixProgress(stage: .exporting, fraction: span.at($0))) },
                    isCancelled: isCancelled)
                timing.mark("master pass \(search.passes) (writing), its check")
                guard written.reading.frameCount == clock.totalFrameCount else {
                    throw MixError.io(
                        "\(destination.mixURL.lastPathComponent): wrote \(clock.totalFrameCount) frames but read back \(written.reading.frameCount)")
                }
                kept = written
                step = search.wrote(integratedLUFS: written.reading.integratedLUFS, truePeakDBTP: written.reading.truePeakDBTP)

            case .keep:
                break passes

            case .ceilingBroken(let truePeakDBTP):
                throw MixError.ceilingBroken(measuredDBTP: truePeakDBTP, ceilingDBTP: options.recipe.ceilingDBTP)
            }
        }
        let gainDB = search.gainDB
        let passes = search.passes
        guard let kept else { throw MixError.io("the master produced no file") }
        // A cancel during the last pass or its check still wins: nothing is put in place.
        if isCancelled() { throw MixError.cancelled }
        report(MixProgress(stage: .exporting, fraction: RenderProgress.committing))

        // The summary first, then the frames and the mix: a failure leaves no new mix beside
        // old frames or an old summary.
        let summary = makeSummary(
            inspection: inspection, tracks: tracks, muted: muted, destination: destination, clock: clock,
            trackResult: trackResult, balance: balance, busResult: busResult, final: (kept.measurement, kept.reading),
            gainDB: gainDB, passes: passes, plan: search.plan, limiterShare: limiterShare, match: match,
            renderSeconds: Date().timeIntervalSince(started))
        let summaryFile = try SummaryFile.prepare(summary, for: destination.summaryURL)
        try kept.frames.commit()
        try summaryFile.commit()
        try kept.writer.commit()
        timing.mark("summary, files put in place")
        report(MixProgress(stage: .exporting, fraction: 1))
        return summary
    }

    /// What a writing pass leaves: its files, not yet in place, and what was measured on them.
    private struct WrittenPass {
        let writer: AudioFileWriter
        let frames: FrameFileWriter
        let measurement: MasterRenderer.Measurement
        let reading: OutputVerifier.Reading
    }

    /// A writing pass: the master at `gainDB` into the mix and its frames (under temporary
    /// names), checked as it is written and read back once closed.
    private func write(
        _ master: MasterRenderer, gainDB: Double, bus: Spool, records: Spool, destination: Destination,
        header: FrameFileHeader, rate: Int, publish: (@Sendable (Int, UnsafeRawPointer, Bool) -> Void)?,
        progress: @escaping (Double) -> Void, isCancelled: @escaping () -> Bool
    ) throws -> WrittenPass {
        let writer = try AudioFileWriter(url: destination.mixURL, type: options.format.fileType, sampleRate: rate, channelCount: 2)
        let frameWriter = try FrameFileWriter(url: destination.framesURL, header: header)
        let verifier = try OutputVerifier(sampleRate: rate)
        let measurement: MasterRenderer.Measurement
        do {
            measurement = try master.run(
                gainDB: gainDB, bus: bus,
                output: .init(
                    writer: writer, frames: frameWriter, verifier: verifier, records: records,
                    publish: publish.map { publish in { publish($0, $1, true) } }),
                progress: progress, isCancelled: isCancelled)
            try writer.close()
            try frameWriter.finish()
        } catch {
            // Cancelled or failed mid-pass: the partial files go now, not whenever the last
            // chunk in flight lets go of them.
            frameWriter.discard()
            writer.discard()
            throw error
        }
        let reading = try verifier.finish(readingBack: writer.pendingURL)
        return WrittenPass(writer: writer, frames: frameWriter, measurement: measurement, reading: reading)
    }

    private func makeSummary(
        inspection: SessionInspection, tracks: [TrackRenderer], muted: [String], destination: Destination,
        clock: MeterClock, trackResult: TrackPass.Result, balance: GroupBalance.Decision, busResult: BlendPass.Result,
        final: (measurement: MasterRenderer.Measurement, reading: OutputVerifier.Reading),
        gainDB: Double, passes: Int, plan: LoudnessPlan, limiterShare: Double, match: ReferenceMatch?, renderSeconds: Double
    ) -> MixSummary {
        let recipe = options.recipe
        let reading = final.reading
        let (reached, note) = plan.verdict(
            reading.integratedLUFS, limiterGRMaxDB: final.measurement.limiterGR.maxDB, limiterShare: limiterShare)
        // Each track's gain in the blend beyond its chain: its group's.
        let groupGainDB = trackResult.trackGroups.map { balance.gainDB[trackResult.groups[$0]] ?? 0 }
        return MixSummary(
            output: destination.mixURL.path, framesFile: destination.framesURL.path,
            durationSeconds: Double(clock.totalFrameCount) / Double(clock.sampleRate), sampleRate: clock.sampleRate,
            recipe: options.recipeName, format: options.format, basic: options.basic,
            framesPerSecond: options.framesPerSecond, targetLUFS: options.basic ? nil : recipe.targetLUFS,
            ceilingDBTP: recipe.ceilingDBTP, integratedLUFS: reading.integratedLUFS, loudnessRangeLU: reading.loudnessRangeLU,
            truePeakDBTP: reading.truePeakDBTP, truePeakScan8xDBTP: reading.truePeakDBTP, targetReached: reached, targetNote: note,
            ceilingHeld: (reading.truePeakDBTP ?? -200) <= recipe.ceilingDBTP + 0.001,
            master: MixSummary.Master(
                gainDB: gainDB, passes: passes, blendHeadroomDB: recipe.blendHeadroomDB,
                eq: options.basic ? [] : recipe.eq,
                busCompressorGRAverageDB: busResult.busCompressorGR.meanDB, busCompressorGRMaxDB: busResult.busCompressorGR.maxDB,
                limiterGRAverageDB: final.measurement.limiterGR.meanDB, limiterGRMaxDB: final.measurement.limiterGR.maxDB,
                width: options.basic ? 1 : recipe.width, correlation: final.measurement.correlation,
                leadRoomGRAverageDB: busResult.leadRoomGR?.meanDB, leadRoomGRMaxDB: busResult.leadRoomGR?.maxDB),
            tracks: tracks.enumerated().map { index, track in
                let preset = options.presets[track.role] ?? RolePreset(targetLUFS: -20)
                return MixSummary.Track(
                    file: track.stem.fileName, stemID: track.stem.id, role: track.role, roleGuessed: track.stem.role.isGuessed,
                    roleSource: track.stem.role.source, sourceLoudnessLUFS: track.stem.loudnessLUFS,
                    matchGainDB: track.matchGainDB, faderDB: track.chain.faderDB,
                    userGainDB: options.stemGainsDB[track.stem.id] ?? 0, groupGainDB: groupGainDB[index],
                    eq: options.basic ? [] : preset.eq,
                    compressorGRAverageDB: track.compressorGR.meanDB, compressorGRMaxDB: track.compressorGR.maxDB,
                    deEsserGRAverageDB: track.deEsserGR.meanDB, deEsserGRMaxDB: track.deEsserGR.maxDB,
                    width: options.basic ? 1 : preset.width,
                    loudnessInMixLUFS: trackResult.trackLoudnessLUFS[index].map { $0 + groupGainDB[index] },
                    monoCheck: trackResult.monoChecks[index].map { check in
                        MixSummary.Track.MonoCheck(
                            correlation: check.correlation,
                            monoLossLU: trackResult.trackLoudnessLUFS[index].flatMap { stereo in check.monoLUFS.map { stereo - $0 } })
                    })
            },
            balance: MixSummary.Balance(balance, recipe: recipe, basic: options.basic, groups: trackResult.groups),
            intensity: options.intensity,
            reference: options.basic ? nil : options.reference.map { MixSummary.Reference($0, match: match) },
            muted: muted,
            rejected: inspection.rejectedStems.map { .init(file: $0.fileName, reason: $0.rejection?.reason ?? "") },
            spectra: MixSummary.Spectra(
                bandCentersHz: SpectrumAnalyzer.bandCenters(), tracks: Dictionary(
                    uniqueKeysWithValues: zip(
                        FrameFileHeader.uniqueKeys(tracks.map(\.stem.fileName)),
                        tracks.indices.map { index in tracks[index].averageSpectrumDB.map { $0 + Float(groupGainDB[index]) } })),
                preMaster: busResult.preMasterSpectrumDB, postMaster: final.measurement.postMasterSpectrumDB),
            quality: QualityReport(.init(
                balance: BalanceReading(
                    groups: trackResult.groups,
                    gainsDB: trackResult.groups.map { (balance.gainDB[$0] ?? 0) - recipe.blendHeadroomDB },
                    loudness: trackResult.loudness), integratedLUFS: reading.integratedLUFS, loudnessRangeLU: reading.loudnessRangeLU,
                truePeakDBTP: reading.truePeakDBTP, samplePeak: final.measurement.waveform.max() ?? 0,
                energy: final.measurement.energy, correlation: final.measurement.correlation, master: final.measurement.quality)),
            waveform: final.measurement.waveform, renderSeconds: renderSeconds)
    }
}
