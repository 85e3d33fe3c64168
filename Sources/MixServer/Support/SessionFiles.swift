import Foundation
import MixEngine

/// Where the service keeps files, under its data folder. Upload names never become paths: a
/// stem is stored under its id.
struct SessionFiles: Sendable {
    let root: URL

    func stemsDirectory(_ sessionID: String) -> URL {
        root.appendingPathComponent("sessions/\(sessionID)/stems", isDirectory: true)
    }

    func stemURL(_ sessionID: String, _ stemID: String) -> URL {
        stemsDirectory(sessionID).appendingPathComponent(stemID)
    }

    /// Where an upload is written while it arrives (removed unless it becomes a stem).
    func uploadURL(_ sessionID: String, _ stemID: String) -> URL {
        stemsDirectory(sessionID).appendingPathComponent(".\(stemID).upload")
    }

    /// The original service's layout: `storage/mix_outputs/<session_id>/final_mix.wav`.
    func mixDirectory(_ sessionID: String) -> URL {
        root.appendingPathComponent("storage/mix_outputs/\(sessionID)", isDirectory: true)
    }

    func destination(_ sessionID: String, format: OutputFormat) -> MixRenderer.Destination {
        MixRenderer.Destination(mixURL: mixDirectory(sessionID).appendingPathComponent("final_mix.\(format.fileExtension)"))
    }
}
