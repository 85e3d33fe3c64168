import Foundation
import MixEngine
import MixTesting
import Testing

/// The real binary, killed mid-job and started again on the same data folder.
@Suite("crash recovery (the mixdown binary, killed)")
struct CrashRecoveryTests {
    @Test("a job cut off by a crash is failed with a reason at the next start, its half-made files removed, the session intact")
    func killedMidJob() throws {
        let folder = try TemporaryDirectory()
        let data = folder.url.appendingPathComponent("data")
        var server = try BinaryServer.start(data: data)
        defer { if server.process.isRunning { server.kill9() } }
        // Six minutes of audio: long enough to be caught mid-render, even on a loaded machine.
        let session = try server.sessionWithTone(seconds: 360, folder: folder)
        let jobID = try server.startJob(session)
        // Killed once the render has written something (the writing pass's temporary files are
        // there), or at the latest once a worker has it.
        let jobFolder = data.appendingPathComponent("storage/mix_outputs/\(session.id)/jobs/\(jobID)")
        let job = try server.waitForJob(jobID, token: session.token) { state in
            state == "complete" || (state == "exporting" && Self.partialFiles(in: jobFolder).count > 0)
        }
        #expect(job["state"] as? String != "complete", "the render finished before it could be killed")
        server.kill9()
        // An upload cut off by the crash, as it would be left.
        let upload = data.appendingPathComponent("sessions/\(session.id)/stems/.0123abcd.upload")
        try Data("half".utf8).write(to: upload)

        server = try BinaryServer.start(data: data)
        let (_, status) = try server.request("/api/jobs/\(jobID)", token: session.token)
        #expect(status["state"] as? String == "failed")
        #expect((status["error"] as? String)?.contains("the service stopped while this job was") == true)
        let (_, timeline) = try server.request("/api/jobs/\(jobID)/timeline", token: session.token)
        #expect(((timeline["events"] as? [[String: Any]])?.last?["state"] as? String) == "failed")
        // Nothing half-made survives the restart.
        #expect(Self.partialFiles(in: data).isEmpty, "\(Self.partialFiles(in: data))")
        #expect(!FileManager.default.fileExists(atPath: jobFolder.path))
        #expect(!FileManager.default.fileExists(atPath: upload.path))
        // The session and its stem are still there.
        let (_, stems) = try server.request("/api/sessions/\(session.id)/stems", token: session.token)
        #expect((stems["stems"] as? [Any])?.count == 1)
        _ = server.terminate()
    }

    /// Every temporary file (`*.partial`) under `folder`.
    static func partialFiles(in folder: URL) -> [String] {
        let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)
        return (walker?.allObjects as? [URL] ?? []).map(\.path).filter { $0.hasSuffix(".partial") }
    }
}
