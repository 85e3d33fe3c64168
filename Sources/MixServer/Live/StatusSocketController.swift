import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import MixEngine
import MixJobs
import NIOCore
import NIOWebSocket

/// `WS /ws/mix/status/{job_id}?token=`: the job's status and its newest meters, a few times a
/// second while it runs, a last message when it ends, then a normal close.
struct StatusSocketController {
    static let path: RouterPath = "/ws/mix/status/:job_id"
    /// At most this many messages a second, whatever the render's pace.
    static let messagesPerSecond = 5
    /// A client that takes longer than this to take one message is gone or stuck: its
    /// connection is closed.
    static let writeDeadline = Duration.seconds(10)
    /// How long the client has to answer the close.
    static let closeReplyDeadline = Duration.seconds(5)

    let services: MixServices

    /// The socket route, on the router that decides upgrades.
    func addRoutes(to router: some RouterMethods<SocketRequestContext>) {
        router.ws(Self.path) { request, context in
            _ = try services.authorizedJob(request, id: try context.parameters.require("job_id"))
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            let jobID = try context.requestContext.parameters.require("job_id")
            try await run(
                jobID: jobID, inbound: inbound, outbound: outbound, channel: context.requestContext.channel,
                logger: context.logger)
        }
    }

    /// The same path on the HTTP router, for requests that were not upgraded: a missing or wrong
    /// token gets its JSON error there (401, 404), a plain GET gets 426. An upgrade is only taken
    /// as a connection's first request; one that came later is told to connect again.
    func addFallbackRoutes(to router: some RouterMethods<BasicRequestContext>) {
        router.get(Self.path) { request, context -> Response in
            _ = try services.authorizedJob(request, id: try context.parameters.require("job_id"))
            let lateUpgrade = request.headers[.upgrade]?.lowercased() == "websocket"
            throw APIError(
                .upgradeRequired, code: "upgrade_required",
                message: lateUpgrade
                    ? "a WebSocket upgrade is taken only as a connection's first request: connect again"
                    : "this is a WebSocket: connect with Upgrade: websocket and ?token=<token>")
        }
    }

    private func run(
        jobID: String, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, channel: any Channel,
        logger: Logger
    ) async throws {
        services.metrics.socketOpened()
        defer { services.metrics.socketClosed() }
        let watch = services.board.watch(jobID)
        defer { watch.stop() }
        try await withThrowingTaskGroup(of: Bool.self) { group in
            // The client says nothing we need; reading answers its pings and its close, and a
            // client that leaves ends the socket.
            group.addTask {
                for try await _ in inbound {}
                return false
            }
            group.addTask {
                try await send(jobID: jobID, wakeUps: watch.wakeUps, outbound: outbound, channel: channel, logger: logger)
                try await outbound.close(.normalClosure, reason: nil)
                return true
            }
            if try await group.next() == true {
                // Closed from this side: wait a moment for the client's answer, so the
                // connection ends cleanly rather than with a reset.
                group.addTask {
                    try await Task.sleep(for: Self.closeReplyDeadline)
                    return false
                }
                _ = try await group.next()
            }
            group.cancelAll()
        }
    }

    /// Sends a message on each wake-up (at most `messagesPerSecond`), and the last one when the
    /// job has ended. A client that reads slowly makes this loop wait on its socket (up to
    /// `writeDeadline`); the render never waits on it, and the wake-ups it misses collapse
    /// into one.
    private func send(
        jobID: String, wakeUps: AsyncStream<Void>, outbound: WebSocketOutboundWriter, channel: any Channel, logger: Logger
    ) async throws {
        let interval = Duration.milliseconds(1000 / Self.messagesPerSecond)
        let clock = ContinuousClock()
        var lastSent: (progress: Int, state: JobState, frame: Int?)?
        for await _ in wakeUps {
            let started = clock.now
            // The frame before the job: a render stores each stage before it publishes that
            // stage's frames, so a frame never goes out with the state of an earlier stage. A job
            // ends only once its last frame is on the board, so an ended job takes it again.
            let frame = services.board.latestFrame(jobID)
            guard let job = try services.store.job(id: jobID) else { return }
            if job.state.isTerminal {
                let lastFrame = services.board.latestFrame(jobID)
                try await write(message(job, frame: lastFrame, final: true, logger: logger), to: outbound, channel: channel)
                return
            }
            let key = (job.progress, job.state, frame?.index)
            if lastSent.map({ $0 != key }) ?? true {
                try await write(message(job, frame: frame, final: false, logger: logger), to: outbound, channel: channel)
                lastSent = key
            }
            try await clock.sleep(until: started.advanced(by: interval))
        }
    }

    /// Writes one message, or closes the connection when the client has not taken it within
    /// `writeDeadline`.
    private func write(_ message: StatusMessage, to outbound: WebSocketOutboundWriter, channel: any Channel) async throws {
        let text = try message.text()
        let written = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await outbound.writeTextMessage(text)
                return true
            }
            group.addTask {
                try await Task.sleep(for: Self.writeDeadline)
                return false
            }
            let written = try await group.next() ?? false
            // A write stuck on a client that does not read ends only with its connection.
            if !written { channel.close(promise: nil) }
            group.cancelAll()
            return written
        }
        guard written else { throw CancellationError() }
        services.metrics.socketMessageSent()
    }

    /// The message for the job as stored. The summary (`visual`) goes in the last message of a
    /// complete job; a summary that cannot be read is left out (and logged) rather than
    /// costing the client its last message.
    private func message(_ job: JobRecord, frame: MeterFrame?, final: Bool, logger: Logger) -> StatusMessage {
        var visual: JSONValue?
        if final, job.state == .complete {
            do {
                let options = try JobOptions.decode(job.optionsJSON)
                visual = try JSONValue.read(services.files.destination(job.sessionID, format: options.format).summaryURL)
            } catch {
                logger.error("the summary of job \(job.id) could not be read", metadata: ["error": "\(error)"])
            }
        }
        let timeline: [TimelineEntry]
        do {
            timeline = try services.store.timeline(jobID: job.id)
        } catch {
            logger.error("the timeline of job \(job.id) could not be read", metadata: ["error": "\(error)"])
            timeline = []
        }
        return StatusMessage(job: job, visual: visual, timeline: timeline, frame: frame?.realtimeBlocks)
    }
}
