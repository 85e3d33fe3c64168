import Foundation
import MixEngine
import MixJobs

/// What a worker does for a job: the session's stems, as stored (each by its id, with its role,
/// gain and mute), mixed with the job's options into the job's own folder (the pool makes it the
/// session's newest mix once the job is stored complete); its meter frames go to the job's live
/// state, its length to the metrics.
enum MixJobWork {
    static func render(
        _ job: JobRecord, store: MixStore, files: SessionFiles, library: PresetLibrary, board: LiveBoard,
        metrics: ServiceMetrics, context: WorkerPool.JobContext
    ) throws {
        let options = try JobOptions.decode(job.optionsJSON)
        let stems = try store.stemsBlocking(sessionID: job.sessionID)
        let inspection = SessionInspector().settle(stems.map { $0.report(url: files.stemURL(job.sessionID, $0.id)) })
        let mixOptions = MixOptions(
            recipeName: options.recipe, recipe: try library.recipe(named: options.recipe), presets: library.rolePresets,
            format: options.format, framesPerSecond: options.fps, basic: options.basic,
            stemGainsDB: Dictionary(uniqueKeysWithValues: stems.map { ($0.id, $0.gainDB) }),
            mutedStems: Set(stems.filter(\.muted).map(\.id)), intensity: options.intensity ?? .full)
        let destination = files.destination(job.sessionID, jobID: job.id, format: options.format)
        try FileManager.default.createDirectory(
            at: destination.mixURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        let live = board.existing(job.id) ?? board.job(seed: (job, []))
        let summary = try MixRenderer(options: mixOptions).render(
            inspection, to: destination, progress: context.report, frames: LiveFrameSink(job: live),
            isCancelled: context.isCancelled)
        metrics.rendered(jobID: job.id, audioSeconds: summary.durationSeconds)
    }
}
