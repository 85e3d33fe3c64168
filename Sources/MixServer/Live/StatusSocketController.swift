import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import MixEngine
import MixJobs
import NIOCore
import NIOWebSocket

/// `WS /ws/mix/status/{job_id}?token=`: the job's status and its newest meters, a few times a
/// second while it runs, a last message when it ends, then a close: normal (1000), or going
/// away (1001) when the service shut down before the job ended.
struct StatusSocketController {
    static let path: RouterPath = "/ws/mix/status/:job_id"
    /// At most this many messages a second, whatever the render's pace.
    static let messagesPerSecond = 5
    /// A client that takes longer than this to take one message is gone or stuck.
    static let writeDeadline = Duration.seconds(10)
    /// What a socket of a job that will not end before the shutdown is told last.
    static let goingAwayMessage = "the server is shutting down; the job stays queued and runs when the server starts again"

    let services: MixServices

    /// The socket route: the token is checked before the upgrade.
    var socketRoute: SocketRoutes.Route {
        SocketRoutes.Route(
            path: "/ws/mix/status/{job_id}",
            check: { request, jobID in _ = try await services.authorizedJob(request, id: jobID) },
            run: { socket in
                let writer = SocketWriter(
                    outbound: socket.outbound, channel: socket.channel, maxFrameBytes: ServiceRouters.maxWebSocketFrameBytes,
                    deadline: Self.writeDeadline)
                services.metrics.socketOpened()
                defer { services.metrics.socketClosed() }
                try await SocketSession.run(inbound: socket.inbound, writer: writer, receive: { _ in }) {
                    try await send(jobID: socket.jobID, writer: writer, logger: socket.logger)
                }
            })
    }

    /// The same path on the HTTP router, for requests that were not upgraded: a missing or wrong
    /// token gets its JSON error there (401, 404), a plain GET gets 426.
    func addFallbackRoutes(to router: some RouterMethods<BasicRequestContext>) {
        router.get(Self.path) { request, context -> Response in
            _ = try await services.authorizedJob(request, id: try context.parameters.require("job_id"))
            throw APIError.upgradeRequired(request)
        }
    }

    /// Sends a message on each wake-up (at most `messagesPerSecond`) while the job runs, then the
    /// last one; returns how to close. A client that reads slowly makes this loop wait on its
    /// socket; the render never waits on it, and the wake-ups it misses collapse into one.
    private func send(jobID: String, writer: SocketWriter, logger: Logger) async throws -> (WebSocketErrorCode, reason: String?) {
        guard let seed = try await services.store.jobWithTimeline(id: jobID) else { return (.normalClosure, nil) }
        guard !seed.job.state.isTerminal else {
            try await writeLast(seed.job, timeline: seed.timeline, frame: nil, writer: writer, logger: logger)
            return (.normalClosure, nil)
        }
        let (live, watch) = services.board.watch(seed: seed, frames: true)
        defer { watch.stop() }
        if let stored = try await services.store.jobWithTimeline(id: jobID) { services.board.refresh(stored) }
        let interval = Duration.milliseconds(1000 / Self.messagesPerSecond)
        let clock = ContinuousClock()
        var lastSent: (progress: Int, state: JobState, frame: UInt32?)?
        for await _ in watch.wakeUps {
            let started = clock.now
            let snapshot = live.snapshot
            if snapshot.job.state.isTerminal {
                try await writeLast(snapshot.job, timeline: snapshot.timeline, frame: snapshot.frame, writer: writer, logger: logger)
                let cutOff = snapshot.job.error == WorkerPool.shutdownReason
                return cutOff ? (.goingAway, "the server shut down") : (.normalClosure, nil)
            }
            if services.board.goingAway.isSet {
                try await writer.send(.text, try StatusMessage.parts(
                    job: snapshot.job, timeline: snapshot.timeline, visual: nil, frame: snapshot.frame, message: Self.goingAwayMessage))
                return (.goingAway, "the server is shutting down")
            }
            let key = (snapshot.job.progress, snapshot.job.state, snapshot.frame?.sequence)
            if lastSent.map({ $0 != key }) ?? true {
                try await writer.send(.text, try StatusMessage.parts(
                    job: snapshot.job, timeline: snapshot.timeline, visual: nil, frame: snapshot.frame))
                services.metrics.socketMessageSent()
                lastSent = key
            }
            try await clock.sleep(until: started.advanced(by: interval))
        }
        return (.normalClosure, nil)
    }

    /// The last message: the summary as `visual` when the job is complete (one that cannot be
    /// read is left out, and logged, rather than costing the client its last message).
    private func writeLast(
        _ job: JobRecord, timeline: [TimelineEntry], frame: LiveFrame?, writer: SocketWriter, logger: Logger
    ) async throws {
        var visual: JSONValue?
        if job.state == .complete {
            do {
                visual = try JSONValue.read(try services.destination(of: job).summaryURL)
            } catch {
                logger.error("the summary of job \(job.id) could not be read", metadata: ["error": "\(error)"])
            }
        }
        try await writer.send(.text, try StatusMessage.parts(job: job, timeline: timeline, visual: visual, frame: frame))
        services.metrics.socketMessageSent()
    }
}
