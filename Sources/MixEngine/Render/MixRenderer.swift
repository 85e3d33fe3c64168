import Foundation
import MixAnalysis
import MixDSP

/// Renders an inspected session to a mastered file, its meter frames and its summary.
///
/// Two passes over the audio, streamed in blocks: the first renders every track and the blend
/// and the master's level-independent stages into a spool with its loudness measured; the
/// second masters from the spool (gain → true-peak limiter → dither): measuring passes until
/// the gain settles, then writing, again with a corrected gain until the written file measures
/// on target. The exported file is checked by meters independent of the limiter, run on its
/// samples as it is written and held against a decode of the closed file (`OutputVerifier`),
/// before it is put in place; one that breaks the ceiling is removed and reported as an error.
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

    /// Loudness error the master accepts before writing again (the promise is ±0.2 LU).
    static let loudnessToleranceLU = 0.1
    /// How far under the ceiling the basic mix's gain puts its scanned peak.
    static let basicPeakMarginDB = 0.15
    /// Writing passes at most, before the target is declared unreachable.
    static let maxWritingPasses = 4
    /// Measuring passes at most before the first writing pass.
    static let maxMeasuringPasses = 5
    /// A gain correction this small (dB) is written without measuring it first: whatever the
    /// limiter takes back of it, the loudness lands within the ±0.1 LU a pass accepts.
    static let settledGainDB = 0.1
    /// The first correction is the limiter's loss at the bus's own gain: under this (dB) the
    /// limiter barely works, takes back little of more gain, and the correction is written.
    static let lightLimitingDB = 0.5

    public var options: MixOptions
    /// Mix the usable stems when some are rejected (they are listed in the summary).
    public var skipInvalid: Bool

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
        report(MixProgress(stage: .loading, fraction: 0))
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
        let bus = try Spool(directory: workDirectory, name: "bus")
        let records = try Spool(directory: workDirectory, name: "meters")
        let publish = frames.map { stream in
            { @Sendable (index: Int, record: UnsafeRawPointer, complete: Bool) in
                guard stream.wantsFrame(isLast: complete && index == header.frameCount - 1) else { return }
                stream.publish(record: UnsafeRawBufferPointer(start: record, count: layout.recordBytes), index: index, isComplete: complete)
            }
        }

        // Pass 1: tracks, blend, the master's EQ, bus compressor and width.
        report(MixProgress(stage: .processingTracks, fraction: 0.02))
        let busResult = try BusRenderer(
            tracks: tracks, recipe: options.recipe, basic: options.basic, clock: clock, chunkCapacity: capacity
        ).run(
            bus: bus, records: records,
            progress: { report(MixProgress(stage: .processingTracks, fraction: 0.02 + 0.48 * $0)) },
            publish: publish.map { publish in { @Sendable in publish($0, $1, false) } }, isCancelled: isCancelled)
        report(MixProgress(stage: .mixing, fraction: 0.5))
        timing.mark("pass 1: tracks, blend, bus")

        // Pass 2: master to the target, measured on the output.
        var master = MasterRenderer(
            recipe: options.recipe, format: options.format, basic: options.basic, clock: clock, layout: layout,
            capacity: capacity)
        // How far under the recipe's ceiling the limiter aims after a pass read over it.
        var ceilingTrimDB = 0.0
        let plan = try LoudnessPlan(recipe: options.recipe, basic: options.basic, busLoudnessLUFS: busResult.loudnessLUFS)
        var gainDB = plan.initialGainDB
        var passes = 0
        var mastering = 0.5
        func measure(at gain: Double) throws -> MasterRenderer.Measurement {
            passes += 1
            let start = mastering
            mastering = min(0.75, mastering + 0.12)
            return try master.run(
                gainDB: gain, bus: bus, output: nil,
                progress: { report(MixProgress(stage: .mastering, fraction: start + (mastering - start) * $0)) },
                isCancelled: isCancelled)
        }
        // (gain, measured loudness) of the passes at the current limiter aim.
        var history: [(gain: Double, loudness: Double)] = []
        if options.basic {
            // The legacy mix has no limiter: one gain keeps its true peak under the ceiling.
            let probe = try measure(at: 0)
            gainDB = min(0, options.recipe.ceilingDBTP - Self.basicPeakMarginDB - (probe.truePeakDBTP ?? -120))
        } else {
            // A measuring pass costs a tenth of a writing pass: the gain is found on them, and
            // the file written once it settles. A limiter working hard takes back part of any
            // gain, and the secant learns how much.
            for measuring in 1...Self.maxMeasuringPasses {
                passes += 1
                let progressStart = mastering
                mastering = min(0.75, mastering + 0.06)
                let span = mastering - progressStart
                let loudness = try master.measureLoudness(
                    gainDB: gainDB, bus: bus, partCount: options.concurrency,
                    progress: { report(MixProgress(stage: .mastering, fraction: progressStart + span * $0)) },
                    isCancelled: isCancelled)
                timing.mark("master pass \(passes) (measuring)")
                guard let loudness else { break }
                history.append((gainDB, loudness))
                let next = plan.nextGain(after: history)
                let settled = abs(next - gainDB) <= (history.count == 1 ? Self.lightLimitingDB : Self.settledGainDB)
                gainDB = next
                if settled || measuring == Self.maxMeasuringPasses { break }
            }
        }

        // Writing passes: write, read back, check; again with a corrected gain if off target.
        // The job says it is exporting before the first of their frames is published, so a
        // watcher never sees a frame of the writing pass with the state of an earlier one.
        let start = max(mastering, 0.75)
        report(MixProgress(stage: .exporting, fraction: start))
        var kept: (writer: AudioFileWriter, frames: FrameFileWriter, measurement: MasterRenderer.Measurement,
            reading: OutputVerifier.Reading)?
        for writingPass in 1...Self.maxWritingPasses {
            passes += 1
            let writer = try AudioFileWriter(
                url: destination.mixURL, type: options.format.fileType, sampleRate: rate, channelCount: 2)
            let frameWriter = try FrameFileWriter(url: destination.framesURL, header: header)
            let verifier = try OutputVerifier(sampleRate: rate)
            let measurement: MasterRenderer.Measurement
            do {
                measurement = try master.run(
                    gainDB: gainDB, bus: bus,
                    output: .init(
                        writer: writer, frames: frameWriter, verifier: verifier, records: records,
                        publish: publish.map { publish in { publish($0, $1, true) } }),
                    progress: { report(MixProgress(stage: .exporting, fraction: start + (0.97 - start) * $0)) },
                    isCancelled: isCancelled)
                try writer.close()
                try frameWriter.finish()
            } catch {
                // Cancelled or failed mid-pass: the partial files go now, not whenever the last
                // chunk in flight lets go of them.
                frameWriter.discard()
                writer.discard()
                throw error
            }
            timing.mark("master pass \(passes) (writing)")
            let reading = try verifier.finish(readingBack: writer.pendingURL)
            timing.mark("check: meters, read-back")
            guard reading.frameCount == clock.totalFrameCount else {
                throw MixError.io(
                    "\(destination.mixURL.lastPathComponent): wrote \(clock.totalFrameCount) frames but read back \(reading.frameCount)")
            }
            let ceilingBroken = (reading.truePeakDBTP ?? -200) > options.recipe.ceilingDBTP + 0.001
            if ceilingBroken, writingPass < Self.maxWritingPasses {
                let excess = (reading.truePeakDBTP ?? 0) - options.recipe.ceilingDBTP
                if options.basic {
                    // No limiter to hold it: turn the one gain down by the excess and write again.
                    gainDB -= excess + Self.basicPeakMarginDB
                } else {
                    // Very heavy limiting can overshoot the limiter's own aim (its gain moves fast
                    // enough to spread the spectrum past what its detector saw). Aim lower by the
                    // excess and write again; the file that is kept is always under the ceiling.
                    ceilingTrimDB += excess + 0.05
                    var trimmed = options.recipe
                    trimmed.ceilingDBTP -= ceilingTrimDB
                    master = MasterRenderer(
                        recipe: trimmed, format: options.format, basic: false, clock: clock, layout: layout,
                        capacity: capacity)
                    history.removeAll()  // loudness for a gain changes with the aim
                }
                continue
            }
            if ceilingBroken {
                throw MixError.ceilingBroken(measuredDBTP: reading.truePeakDBTP ?? 0, ceilingDBTP: options.recipe.ceilingDBTP)
            }
            if let loudness = reading.integratedLUFS { history.append((gainDB, loudness)) }
            let onTarget = options.basic || plan.isOnTarget(reading.integratedLUFS, tolerance: Self.loudnessToleranceLU)
            let next = plan.nextGain(after: history)
            // Keep this pass when it is on target, when it is the last, or when more gain would
            // give no more loudness (the limiter takes it all).
            if onTarget || writingPass == Self.maxWritingPasses || history.isEmpty || abs(next - gainDB) < 0.01 {
                kept = (writer, frameWriter, measurement, reading)
                break
            }
            gainDB = next
        }
        guard let kept else { throw MixError.io("the master produced no file") }
        // A cancel during the last pass or its check still wins: nothing is put in place.
        if isCancelled() { throw MixError.cancelled }
        report(MixProgress(stage: .exporting, fraction: 0.98))

        // The summary first, then the frames and the mix: a failure leaves no new mix beside
        // old frames or an old summary.
        let summary = makeSummary(
            inspection: inspection, tracks: tracks, muted: muted, destination: destination, clock: clock,
            busResult: busResult, final: (kept.measurement, kept.reading), gainDB: gainDB, passes: passes, plan: plan,
            renderSeconds: Date().timeIntervalSince(started))
        let summaryFile = try SummaryFile.prepare(summary, for: destination.summaryURL)
        try kept.frames.commit()
        try summaryFile.commit()
        try kept.writer.commit()
        timing.mark("summary, files put in place")
        report(MixProgress(stage: .exporting, fraction: 1))
        return summary
    }

    private func makeSummary(
        inspection: SessionInspection, tracks: [TrackRenderer], muted: [String], destination: Destination,
        clock: MeterClock, busResult: BusRenderer.Result,
        final: (measurement: MasterRenderer.Measurement, reading: OutputVerifier.Reading),
        gainDB: Double, passes: Int, plan: LoudnessPlan, renderSeconds: Double
    ) -> MixSummary {
        let recipe = options.recipe
        let reading = final.reading
        let (reached, note) = plan.verdict(reading.integratedLUFS, limiterGRMaxDB: final.measurement.limiterGR.maxDB)
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
                width: options.basic ? 1 : recipe.width, correlation: final.measurement.correlation),
            tracks: tracks.enumerated().map { index, track in
                let preset = options.presets[track.role] ?? RolePreset(targetLUFS: -20)
                return MixSummary.Track(
                    file: track.stem.fileName, stemID: track.stem.id, role: track.role, roleGuessed: track.stem.role.isGuessed,
                    roleSource: track.stem.role.source, sourceLoudnessLUFS: track.stem.loudnessLUFS,
                    matchGainDB: track.matchGainDB, faderDB: track.chain.faderDB,
                    userGainDB: options.stemGainsDB[track.stem.id] ?? 0, eq: options.basic ? [] : preset.eq,
                    compressorGRAverageDB: track.compressorGR.meanDB, compressorGRMaxDB: track.compressorGR.maxDB,
                    deEsserGRAverageDB: track.deEsserGR.meanDB, deEsserGRMaxDB: track.deEsserGR.maxDB,
                    width: options.basic ? 1 : preset.width, loudnessInMixLUFS: busResult.trackLoudnessLUFS[index])
            },
            muted: muted,
            rejected: inspection.rejectedStems.map { .init(file: $0.fileName, reason: $0.rejection?.reason ?? "") },
            spectra: MixSummary.Spectra(
                bandCentersHz: SpectrumAnalyzer.bandCenters(), tracks: Dictionary(
                    uniqueKeysWithValues: zip(
                        FrameFileHeader.uniqueKeys(tracks.map(\.stem.fileName)), tracks.map(\.averageSpectrumDB))),
                preMaster: busResult.preMasterSpectrumDB, postMaster: final.measurement.postMasterSpectrumDB),
            waveform: final.measurement.waveform, renderSeconds: renderSeconds)
    }
}
