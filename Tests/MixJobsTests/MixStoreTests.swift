import Foundation
import MixEngine
import MixJobs
import MixTesting
import Testing

@Suite("SQLite store (a real file)")
struct MixStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func storeWithJob(_ folder: TemporaryDirectory) async throws -> (MixStore, JobRecord) {
        let store = try MixStore(directory: folder.url)
        try await store.insert(SessionRecord(id: "s1", tokenHash: "hash", createdAt: t0))
        let job = JobRecord(id: "j1", sessionID: "s1", optionsJSON: #"{"recipe":"balanced"}"#, createdAt: t0)
        try await store.insert(job)
        return (store, job)
    }

    @Test("transitions are stored with one timeline entry each, in order, and survive reopening")
    func transitionsAndRestart() async throws {
        let folder = try TemporaryDirectory()
        do {
            let (store, _) = try await storeWithJob(folder)
            _ = try await store.apply(.start, toJob: "j1", at: t0 + 1)
            _ = try await store.apply(.stage(.processingTracks, fraction: 0.2), toJob: "j1", at: t0 + 2)
            for step in 0..<50 { _ = try await store.apply(.progress(0.2 + Double(step) / 100), toJob: "j1", at: t0 + 3) }
            _ = try await store.apply(.stage(.mastering, fraction: 0.75), toJob: "j1", at: t0 + 4)
        }
        // A new store on the same file, as after a restart.
        let store = try MixStore(directory: folder.url)
        let job = try #require(try await store.job(id: "j1"))
        #expect(job.state == .mastering && job.progress == 75 && job.updatedAt == t0 + 4)
        let timeline = try await store.timeline(jobID: "j1")
        #expect(timeline.map(\.state) == [.queued, .loading, .processingTracks, .mastering])
        #expect(timeline.map(\.at) == [t0, t0 + 1, t0 + 2, t0 + 4])
        #expect(try await store.session(id: "s1")?.tokenHash == "hash")
    }

    @Test("a refused event writes nothing")
    func refusedEvent() async throws {
        let folder = try TemporaryDirectory()
        let (store, _) = try await storeWithJob(folder)
        await #expect(throws: JobTransitionError.self) { try await store.apply(.finish, toJob: "j1", at: t0 + 1) }
        #expect(try await store.job(id: "j1")?.state == .queued)
        #expect(try await store.timeline(jobID: "j1").count == 1)
        await #expect(throws: MixStoreError.noSuchJob("nope")) { try await store.apply(.start, toJob: "nope", at: t0) }
    }

    @Test("at start-up, jobs a crash left running are failed with the reason; queued ones wait; ended ones stay")
    func recovery() async throws {
        let folder = try TemporaryDirectory()
        let (store, _) = try await storeWithJob(folder)
        for id in ["j2", "j3", "j4"] {
            try await store.insert(JobRecord(id: id, sessionID: "s1", optionsJSON: "{}", createdAt: t0))
        }
        _ = try await store.apply(.start, toJob: "j1", at: t0 + 1)
        _ = try await store.apply(.stage(.exporting, fraction: 0.9), toJob: "j1", at: t0 + 2)
        _ = try await store.apply(.start, toJob: "j3", at: t0 + 1)
        _ = try await store.apply(.finish, toJob: "j3", at: t0 + 2)
        _ = try await store.apply(.cancel, toJob: "j4", at: t0 + 1)
        let reopened = try MixStore(directory: folder.url)
        #expect(try await reopened.failInterruptedJobs(at: t0 + 10) == ["j1"])
        let failed = try #require(try await reopened.job(id: "j1"))
        #expect(failed.state == .failed)
        #expect(failed.error?.contains("the service stopped while this job was exporting") == true)
        #expect(try await reopened.timeline(jobID: "j1").last?.state == .failed)
        #expect(try await reopened.queuedJobs().map(\.id) == ["j2"])
        #expect(try await reopened.job(id: "j3")?.state == .complete)
        #expect(try await reopened.job(id: "j4")?.state == .cancelled)
    }
}
