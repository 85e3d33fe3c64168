import Dispatch
import Foundation
import MixEngine
import MixJobs

/// What a worker does for a job: the session's stems, as stored, mixed with the job's options
/// into the original's layout; its meter frames go to the board, its length to the metrics.
enum MixJobWork {
    /// Status sockets show a few frames a second: the render decodes no more than this many.
    static let frameInterval = Duration.milliseconds(50)

    static func render(
        _ job: JobRecord, store: MixStore, files: SessionFiles, library: PresetLibrary, board: JobBoard<MeterFrame>,
        metrics: ServiceMetrics, context: JobRunner.JobContext
    ) throws {
        let audioSeconds = try render(job, store: store, files: files, library: library, board: board, context: context)
        metrics.rendered(jobID: job.id, audioSeconds: audioSeconds)
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
        let forwarded = DispatchSemaphore(value: 0)
        Task.detached {
            for await frame in frames.frames { board.publish(frame, jobID: job.id) }
            forwarded.signal()
        }
        // The render finishes the stream however it ends. This worker thread (not one of
        // Swift's) waits for the last frame to reach the board before the job is marked ended,
        // so the sockets' last message shows it.
        defer {
            frames.finish()
            forwarded.wait()
            board.renderEnded(job.id)
        }
        let summary = try MixRenderer(options: mixOptions).render(
            inspection, to: destination, progress: context.report, frames: frames, isCancelled: context.isCancelled)
        return summary.durationSeconds
    }
}
