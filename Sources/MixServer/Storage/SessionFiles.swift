import Foundation
import MixEngine
import Synchronization

/// Where the service keeps files, under its data folder. Upload names never become paths: a
/// stem is stored under its id, a job's mix under the job's id.
///
/// ```
/// sessions/<session id>/stems/<stem id>                 the uploads
/// storage/mix_outputs/<session id>/jobs/<job id>/final_mix.{wav,flac,frames,summary.json}
/// storage/mix_outputs/<session id>/final_mix.*          the session's newest complete mix
/// ```
/// The last is the original service's layout, kept for its clients: a hard link to the files of
/// the job that completed last.
final class SessionFiles: Sendable {
    let root: URL
    /// Publishing a session's newest mix: one job at a time, so when publishing is done the three
    /// files come from the same job (a reader between two renames may still see one of each).
    private let publishing = Mutex(())

    init(root: URL) {
        self.root = root
    }

    func stemsDirectory(_ sessionID: String) -> URL {
        root.appendingPathComponent("sessions/\(sessionID)/stems", isDirectory: true)
    }

    func stemURL(_ sessionID: String, _ stemID: String) -> URL {
        stemsDirectory(sessionID).appendingPathComponent(stemID)
    }

    /// Where an upload is written while it arrives (removed unless it becomes a stem).
    func uploadURL(_ sessionID: String, _ stemID: String) -> URL {
        stemsDirectory(sessionID).appendingPathComponent(".\(stemID)\(Self.uploadSuffix)")
    }

    static let uploadSuffix = ".upload"

    /// The original service's layout: `storage/mix_outputs/<session_id>/`.
    func mixDirectory(_ sessionID: String) -> URL {
        root.appendingPathComponent("storage/mix_outputs/\(sessionID)", isDirectory: true)
    }

    /// A job's own folder.
    func jobDirectory(_ sessionID: String, jobID: String) -> URL {
        mixDirectory(sessionID).appendingPathComponent("jobs/\(jobID)", isDirectory: true)
    }

    /// The files of one job's mix.
    func destination(_ sessionID: String, jobID: String, format: OutputFormat) -> MixRenderer.Destination {
        MixRenderer.Destination(
            mixURL: jobDirectory(sessionID, jobID: jobID).appendingPathComponent("final_mix.\(format.fileExtension)"))
    }

    /// The session's newest complete mix, in the original's place.
    func sessionDestination(_ sessionID: String, format: OutputFormat) -> MixRenderer.Destination {
        MixRenderer.Destination(mixURL: mixDirectory(sessionID).appendingPathComponent("final_mix.\(format.fileExtension)"))
    }

    /// Makes a complete job's files the session's newest mix: each linked under a temporary name
    /// and renamed over the old one (a reader sees the old file or the new, never half of one);
    /// a mix of the other format left by an earlier job goes.
    func publishAsNewest(_ sessionID: String, jobID: String, format: OutputFormat) throws {
        let job = destination(sessionID, jobID: jobID, format: format)
        let session = sessionDestination(sessionID, format: format)
        try publishing.withLock { _ in
            for (source, target) in [(job.summaryURL, session.summaryURL), (job.framesURL, session.framesURL), (job.mixURL, session.mixURL)] {
                let temporary = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).\(UUID().uuidString).partial")
                guard link(source.path, temporary.path) == 0 else {
                    throw MixError.io("cannot publish the session's newest mix: link failed (errno \(errno))")
                }
                guard rename(temporary.path, target.path) == 0 else {
                    unlink(temporary.path)
                    throw MixError.io("cannot publish the session's newest mix: rename failed (errno \(errno))")
                }
            }
            for other in OutputFormat.allCases where other.fileExtension != format.fileExtension {
                try? FileManager.default.removeItem(at: sessionDestination(sessionID, format: other).mixURL)
            }
        }
    }

    /// Removes whatever a job that did not complete left in its folder.
    func discardJob(_ sessionID: String, jobID: String) {
        try? FileManager.default.removeItem(at: jobDirectory(sessionID, jobID: jobID))
    }

    /// At start-up, what a process that stopped mid-way left behind: uploads that never
    /// finished, the temporary files of renders cut off (`*.partial`), and the folders of jobs
    /// that did not complete (`isComplete` says, given a job id). Returns how many it removed.
    func removeLeftovers(isComplete: (String) -> Bool) -> Int {
        let manager = FileManager.default
        var removed = 0
        func remove(_ url: URL) {
            if (try? manager.removeItem(at: url)) != nil { removed += 1 }
        }
        let sessions = root.appendingPathComponent("sessions", isDirectory: true)
        for session in (try? manager.contentsOfDirectory(at: sessions, includingPropertiesForKeys: nil)) ?? [] {
            let stems = session.appendingPathComponent("stems", isDirectory: true)
            for file in (try? manager.contentsOfDirectory(at: stems, includingPropertiesForKeys: nil)) ?? []
            where file.lastPathComponent.hasSuffix(Self.uploadSuffix) {
                remove(file)
            }
        }
        let outputs = root.appendingPathComponent("storage/mix_outputs", isDirectory: true)
        for session in (try? manager.contentsOfDirectory(at: outputs, includingPropertiesForKeys: nil)) ?? [] {
            for file in (try? manager.contentsOfDirectory(at: session, includingPropertiesForKeys: nil)) ?? []
            where file.lastPathComponent.hasSuffix(".partial") {
                remove(file)
            }
            let jobs = session.appendingPathComponent("jobs", isDirectory: true)
            for job in (try? manager.contentsOfDirectory(at: jobs, includingPropertiesForKeys: nil)) ?? [] {
                if isComplete(job.lastPathComponent) {
                    for file in (try? manager.contentsOfDirectory(at: job, includingPropertiesForKeys: nil)) ?? []
                    where file.lastPathComponent.hasSuffix(".partial") {
                        remove(file)
                    }
                } else {
                    remove(job)
                }
            }
        }
        return removed
    }
}
