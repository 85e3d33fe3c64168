import Foundation
import MixEngine
import MixJobs

/// What a worker does for a job: the session's stems, as stored, mixed with the job's options
/// into the original's layout; its meter frames go to the board, its time to the metrics.
enum MixJobWork {
    /// Status sockets show a few frames a second: the render decodes no more than this many.
    static let frameInterval = Duration.milliseconds(50)

    static func render(
        _ job: JobRecord, store: MixStore, files: SessionFiles, library: PresetLibrary, board: JobBoard<MeterFrame>,
        metrics: ServiceMetrics, context: JobRunner.JobContext
    ) throws {
        let clock = ContinuousClock()
        let started = clock.now
        var audioSeconds: Double?
        do {
            audioSeconds = try render(job, store: store, files: files, library: library, board: board, context: context)
            metrics.jobEnded(.complete, after: clock.now - started, audioSeconds: audioSeconds)
        } catch {
            metrics.jobEnded(context.isCancelled() ? .cancelled : .failed, after: clock.now - started, audioSeconds: nil)
            throw error
        }
    }

    /// Renders the job; returns the mix's duration in seconds.
    private static func render(
        _ job: JobRecord, store: MixStore, files: SessionFiles, library: PresetLibrary, board: JobBoard<MeterFrame>,
        context: JobRunner.JobContext
    ) throws -> Double {
        let options = try JobOptions.decode(job.optionsJSON)
        let stems = try store.stems(sessionID: job.sessionID)
        let reports = stems.map { $0.report(url: files.stemURL(job.sessionID, $0.id)) }.sorted(by: StemOrder.precedes)
        let inspection = SessionInspection(
            sessionRate: SessionRate.choose(stemRates: reports.compactMap(\.sampleRate)), stems: reports, ignored: [])
        let mixOptions = MixOptions(
            recipeName: options.recipe, recipe: try library.recipe(named: options.recipe), presets: library.rolePresets,
            format: options.format, framesPerSecond: options.fps, basic: options.basic,
            stemGainsDB: Dictionary(stems.map { ($0.name, $0.gainDB) }, uniquingKeysWith: { first, _ in first }),
            mutedStems: Set(stems.filter(\.muted).map(\.name)))
        let destination = files.destination(job.sessionID, format: options.format)
        try FileManager.default.createDirectory(at: files.mixDirectory(job.sessionID), withIntermediateDirectories: true)

        let frames = MeterFrameStream(keepingNewest: 1, minimumInterval: frameInterval)
        board.renderStarted(job.id)
        let forwarding = Task.detached {
            for await frame in frames.frames { board.publish(frame, jobID: job.id) }
        }
        // The render finishes the stream however it ends; the board lets the frames go once
        // the last one is in.
        defer {
            Task.detached {
                await forwarding.value
                board.renderEnded(job.id)
            }
        }
        let summary = try MixRenderer(options: mixOptions).render(
            inspection, to: destination, progress: context.report, frames: frames, isCancelled: context.isCancelled)
        return summary.durationSeconds
    }
}
