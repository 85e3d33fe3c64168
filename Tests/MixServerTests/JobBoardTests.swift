import Foundation
@testable import MixServer
import Testing

@Suite("the job board: newest frame wins, wake-ups collapse, nothing kept once no one needs it")
struct JobBoardTests {
    @Test("a watcher that never reads holds one pending wake-up and the newest frame, however many are published")
    func slowWatcher() async throws {
        let board = JobBoard<Int>()
        board.renderStarted("job")
        let watch = board.watch("job")
        for frame in 0..<10_000 { board.publish(frame, jobID: "job") }
        board.changed("job")
        #expect(board.latestFrame("job") == 9_999)
        // Everything published collapsed into one wake-up: after it, the stream holds nothing
        // more (stopped now, it ends at once instead of yielding a second one).
        var iterator = watch.wakeUps.makeAsyncIterator()
        #expect(await iterator.next() != nil)
        watch.stop()
        #expect(await iterator.next() == nil)
        board.renderEnded("job")
        #expect(board.jobCount == 0)
    }

    @Test("a wake-up taken leaves the watcher waiting for the next change")
    func nextChange() async throws {
        let board = JobBoard<Int>()
        board.renderStarted("job")
        let watch = board.watch("job")
        var iterator = watch.wakeUps.makeAsyncIterator()
        #expect(await iterator.next() != nil)  // the first, pending since the watch began
        let woken = Task { () -> Bool in
            var iterator = watch.wakeUps.makeAsyncIterator()
            return await iterator.next() != nil
        }
        try await Task.sleep(for: .milliseconds(50))
        board.publish(1, jobID: "job")
        #expect(await woken.value)
        #expect(board.latestFrame("job") == 1)
        watch.stop()
        board.renderEnded("job")
    }

    @Test("frames of a job no one renders are not kept; the last frame stays for watchers after the render ends")
    func lifetime() {
        let board = JobBoard<Int>()
        board.publish(1, jobID: "idle")
        #expect(board.latestFrame("idle") == nil && board.jobCount == 0)

        board.renderStarted("job")
        let watch = board.watch("job")
        board.publish(7, jobID: "job")
        board.renderEnded("job")
        #expect(board.latestFrame("job") == 7)
        watch.stop()
        #expect(board.latestFrame("job") == nil && board.jobCount == 0)
    }
}
