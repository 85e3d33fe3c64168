import Foundation
import Hummingbird
import HummingbirdWebSocket
import MixEngine
import MixJobs

/// `WS /ws/mix/status/{job_id}?token=`: the job's status and its newest meters, a few times a
/// second while it runs, a last message when it ends, then a normal close.
struct StatusSocketController {
    static let path: RouterPath = "/ws/mix/status/:job_id"
    /// At most this many messages a second, whatever the render's pace.
    static let messagesPerSecond = 5

    let services: MixServices

    /// The socket route, on the router that decides upgrades.
    func addRoutes(to router: some RouterMethods<BasicWebSocketRequestContext>) {
        router.ws(Self.path) { request, context in
            _ = try services.authorizedJob(request, id: try context.parameters.require("job_id"))
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            let jobID = try context.requestContext.parameters.require("job_id")
            try await run(jobID: jobID, inbound: inbound, outbound: outbound)
        }
    }

    /// The same path on the HTTP router, for requests that were not upgraded: a missing or wrong
    /// token gets its JSON error there (401, 404), a plain GET gets 426.
    func addFallbackRoutes(to router: some RouterMethods<BasicRequestContext>) {
        router.get(Self.path) { request, context -> Response in
            _ = try services.authorizedJob(request, id: try context.parameters.require("job_id"))
            throw APIError(
                .upgradeRequired, code: "upgrade_required",
                message: "this is a WebSocket: connect with Upgrade: websocket and ?token=<token>")
        }
    }

    private func run(jobID: String, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        services.metrics.socketOpened()
        defer { services.metrics.socketClosed() }
        let watch = services.board.watch(jobID)
        defer { watch.stop() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            // The client says nothing we need; reading keeps pings and its close answered, and
            // a client that leaves ends the socket.
            group.addTask {
                for try await _ in inbound {}
            }
            group.addTask {
                try await send(jobID: jobID, wakeUps: watch.wakeUps, outbound: outbound)
            }
            try await group.next()
            group.cancelAll()
        }
    }

    /// Sends a message on each wake-up (at most `messagesPerSecond`), and the last one when the
    /// job has ended. A client that reads slowly makes this loop wait on its socket; the render
    /// never waits on it, and the wake-ups it misses collapse into one.
    private func send(jobID: String, wakeUps: AsyncStream<Void>, outbound: WebSocketOutboundWriter) async throws {
        let interval = Duration.milliseconds(1000 / Self.messagesPerSecond)
        let clock = ContinuousClock()
        var lastSent: (progress: Int, state: JobState, frame: Int?)?
        for await _ in wakeUps {
            let started = clock.now
            guard let job = try services.store.job(id: jobID) else { return }
            let frame = services.board.latestFrame(jobID)
            if job.state.isTerminal {
                try await outbound.writeTextMessage(try message(job, frame: frame, final: true).text())
                services.metrics.socketMessageSent()
                return
            }
            let key = (job.progress, job.state, frame?.index)
            if lastSent.map({ $0 != key }) ?? true {
                try await outbound.writeTextMessage(try message(job, frame: frame, final: false).text())
                services.metrics.socketMessageSent()
                lastSent = key
            }
            try await clock.sleep(until: started.advanced(by: interval))
        }
    }

    private func message(_ job: JobRecord, frame: MeterFrame?, final: Bool) throws -> StatusMessage {
        var visual: JSONValue?
        if final, job.state == .complete, let options = try? JobOptions.decode(job.optionsJSON) {
            visual = try JSONValue.read(services.files.destination(job.sessionID, format: options.format).summaryURL)
        }
        return StatusMessage(
            job: job, visual: visual, timeline: try services.store.timeline(jobID: job.id), frame: frame?.realtimeBlocks)
    }
}
