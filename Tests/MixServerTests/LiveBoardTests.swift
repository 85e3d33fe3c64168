import Foundation
import MixEngine
import MixJobs
import NIOCore
@testable import MixServer
import Testing

@Suite("the live board: one snapshot per job, newest frame wins, wake-ups collapse, nothing kept once no one needs it")
struct LiveBoardTests {
    static let header = FrameFileHeader(
        framesPerSecond: 30, sampleRate: 48_000, frameCount: 20_000, tracks: [.init(name: "Lead.wav", role: .lead, id: "s1")],
        framesPerChunk: 30)

    /// A job record in `state` with `progress`, from its machine.
    static func job(_ state: JobState, progress: Int = 0, id: String = "job") -> JobRecord {
        var job = JobRecord(id: id, sessionID: "session", optionsJSON: "{}", createdAt: Date(timeIntervalSince1970: 0))
        job.machine = JobMachine(state: state, progress: progress, message: "m", error: state == .failed ? "why" : nil)
        return job
    }

    static func entry(_ state: JobState) -> TimelineEntry {
        TimelineEntry(state: state, message: "m", progress: 0, at: Date(timeIntervalSince1970: 0))
    }

    static func publish(_ live: LiveJob, index: Int) {
        let record = [UInt8](repeating: UInt8(index % 251), count: header.recordBytes)
        record.withUnsafeBytes { live.publish(record: $0, index: index, isComplete: true) }
    }

    @Test("a watcher that never reads holds one pending wake-up and the newest frame, however many are published")
    func slowWatcher() async throws {
        let board = LiveBoard()
        board.changed(JobChange(job: Self.job(.processingTracks), timeline: [Self.entry(.queued)]))
        let live = try #require(board.existing("job"))
        live.renderBegan(Self.header)
        let watch = live.watch()
        for index in 0..<10_000 { Self.publish(live, index: index) }
        let frame = try #require(live.snapshot.frame)
        #expect(frame.index == 9_999 && frame.sequence == 10_000)
        // Everything published collapsed into one wake-up: after it, the stream holds nothing
        // more (stopped now, it ends at once instead of yielding a second one).
        var iterator = watch.wakeUps.makeAsyncIterator()
        #expect(await iterator.next() != nil)
        watch.stop()
        #expect(await iterator.next() == nil)
        live.renderEnded()
        board.changed(JobChange(job: Self.job(.complete, progress: 100), timeline: [Self.entry(.queued), Self.entry(.complete)]))
        #expect(board.jobCount == 0)
    }

    @Test("a wake-up taken leaves the watcher waiting for the next change")
    func nextChange() async throws {
        let board = LiveBoard()
        let live = board.job(seed: (Self.job(.loading), [Self.entry(.queued)]))
        live.renderBegan(Self.header)
        let watch = live.watch()
        var iterator = watch.wakeUps.makeAsyncIterator()
        #expect(await iterator.next() != nil)  // the first, pending since the watch began
        let woken = Task { () -> Bool in
            var iterator = watch.wakeUps.makeAsyncIterator()
            return await iterator.next() != nil
        }
        try await Task.sleep(for: .milliseconds(50))
        Self.publish(live, index: 1)
        #expect(await woken.value)
        #expect(live.snapshot.frame?.index == 1)
        watch.stop()
        live.renderEnded()
    }

    @Test("a change that arrives late never takes the job back: stages and progress only go forward, an ended job stays ended")
    func noGoingBack() {
        let board = LiveBoard()
        let live = board.job(seed: (Self.job(.mastering, progress: 60), [Self.entry(.queued)]))
        let watch = live.watch()
        board.changed(JobChange(job: Self.job(.mastering, progress: 55), timeline: []))
        board.changed(JobChange(job: Self.job(.processingTracks, progress: 70), timeline: []))
        #expect(live.snapshot.job.state == .mastering && live.snapshot.job.progress == 60)
        board.changed(JobChange(job: Self.job(.exporting, progress: 80), timeline: [Self.entry(.queued), Self.entry(.exporting)]))
        #expect(live.snapshot.job.state == .exporting && live.snapshot.timeline.count == 2)
        board.changed(JobChange(job: Self.job(.cancelled, progress: 80), timeline: [Self.entry(.queued), Self.entry(.cancelled)]))
        board.changed(JobChange(job: Self.job(.exporting, progress: 90), timeline: []))
        #expect(live.snapshot.job.state == .cancelled)
        watch.stop()
        #expect(board.jobCount == 0)
    }

    @Test("jobs no one watches and nothing renders are not kept; a running one is; the last frame stays for watchers after the render")
    func lifetime() throws {
        let board = LiveBoard()
        board.changed(JobChange(job: Self.job(.queued, id: "waiting"), timeline: [Self.entry(.queued)]))
        #expect(board.existing("waiting") == nil)
        board.changed(JobChange(job: Self.job(.loading), timeline: [Self.entry(.queued), Self.entry(.loading)]))
        let live = try #require(board.existing("job"))
        live.renderBegan(Self.header)
        let watch = live.watch()
        Self.publish(live, index: 7)
        live.renderEnded()
        board.changed(JobChange(job: Self.job(.complete, progress: 100), timeline: []))
        #expect(live.snapshot.frame?.index == 7 && board.jobCount == 1)
        watch.stop()
        #expect(board.jobCount == 0)
    }

    @Test("a frame's encodings are made once and the same bytes shared by every socket that asks")
    func sharedEncodings() throws {
        let live = LiveBoard().job(seed: (Self.job(.loading), []))
        live.renderBegan(Self.header)
        Self.publish(live, index: 3)
        let frame = try #require(live.snapshot.frame)
        let first = frame.encoded(.binary([.meters, .scope]))
        let second = frame.encoded(.binary([.meters, .scope]))
        first.withUnsafeReadableBytes { a in
            second.withUnsafeReadableBytes { b in #expect(a.baseAddress == b.baseAddress) }
        }
        #expect(frame.encoded(.json(.all)).readableBytes > frame.encoded(.binary(.all)).readableBytes)
    }
}
