import Foundation
import Logging
import MixEngine
import MixJobs
import NIOCore
import NIOWebSocket
import Synchronization

/// One client's realtime stream of a job: live while the job renders (the newest frame, at most
/// `fps` a second of wall time: the render runs far faster than the song, so the stream
/// fast-forwards), then a replay from the job's frame file in audio time, paced at `fps` and
/// steered by the client's `play`, `pause` and `seek`.
///
/// Three parts share the state: the ticks of the stream's rate (`FrameMetronome`, one clock for
/// every socket at that rate: each tick counts a frame as due when there is a new one to show),
/// the sender (sends the newest due frame, and the job's and the replay's changes), and the
/// reader of control messages. Every hop keeps only the newest: a
/// client that reads slowly makes the sender wait on its socket while the ticker goes on
/// counting, so the next frame it gets shows the gap in its sequence number, and nothing queues.
final class RealtimeStream: Sendable {
    /// Control messages waiting for the sender; a client sending more than this keeps the newest.
    static let maximumPendingControls = 32

    private enum Phase: Sendable {
        case starting
        case live(LiveJob)
        case replay(FrameFileHeader)
    }

    private struct State: Sendable {
        var phase = Phase.starting
        var clock: ReplayClock?
        /// Frames due since the stream began (the sequence number of the next frame sent).
        var due: UInt32 = 0
        /// What was newest at the last tick (a live frame's sequence, or a replay's frame index).
        var lastTickKey: Int?
        var pendingControls: [String] = []
    }

    let jobID: String
    let request: RealtimeRequest
    private let services: MixServices
    private let writer: SocketWriter
    private let state = Mutex(State())
    private let wakes: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    init(jobID: String, request: RealtimeRequest, services: MixServices, writer: SocketWriter) {
        self.jobID = jobID
        self.request = request
        self.services = services
        self.writer = writer
        (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// A control message from the client: kept for the sender, which answers it (one that comes
    /// before the replay is answered that there is no replay yet).
    func received(_ text: String) {
        state.withLock { state in
            state.pendingControls.append(text)
            if state.pendingControls.count > Self.maximumPendingControls { state.pendingControls.removeFirst() }
        }
        wake.yield()
    }

    /// The control messages received since the last call.
    private func takeControls() -> [String] {
        state.withLock { state in
            defer { state.pendingControls.removeAll() }
            return state.pendingControls
        }
    }

    /// Runs the stream until it ends; returns how to close the socket.
    func run(logger: Logger) async throws -> (WebSocketErrorCode, reason: String?) {
        guard let seed = try await services.store.jobWithTimeline(id: jobID) else { return (.normalClosure, nil) }
        let ticks = FrameMetronome.shared(request.framesPerSecond).subscribe { [weak self] now in self?.tick(at: now) }
        defer { ticks.cancel() }
        return try await withThrowingTaskGroup(of: (WebSocketErrorCode, reason: String?)?.self) { group in
            group.addTask { [self] in
                await services.board.goingAway.wait()
                wake.yield()
                return nil
            }
            group.addTask { [self] in
                try await send(seed: seed, logger: logger)
            }
            var outcome: (WebSocketErrorCode, reason: String?)?
            while outcome == nil, let next = try await group.next() {
                outcome = next
            }
            group.cancelAll()
            return outcome ?? (.normalClosure, nil)
        }
    }

    // MARK: Ticks

    /// A tick of the stream's rate: counts a frame as due when there is a new one to show, and
    /// wakes the sender.
    private func tick(at now: ContinuousClock.Instant) {
        let counted = state.withLock { state -> Bool in
            let key: Int?
            switch state.phase {
            case .starting: key = nil
            case .live(let live): key = live.snapshot.frame.map { Int($0.sequence) }
            case .replay(let header):
                key = state.clock?.frameIndex(
                    at: now, after: state.lastTickKey, framesPerSecond: header.framesPerSecond, frameCount: header.frameCount)
            }
            guard let key, key != state.lastTickKey else { return false }
            state.due &+= 1
            state.lastTickKey = key
            return true
        }
        if counted { wake.yield() }
    }

    // MARK: Sender

    private func send(seed: (job: JobRecord, timeline: [TimelineEntry]), logger: Logger) async throws
        -> (WebSocketErrorCode, reason: String?)
    {
        var job = seed.job
        if !job.state.isTerminal {
            let (live, watch) = services.board.watch(seed: seed, frames: false)
            defer { watch.stop() }
            if let stored = try await services.store.jobWithTimeline(id: jobID) { services.board.refresh(stored) }
            if let ended = try await sendLive(live, watch: watch) { return ended }
            job = live.snapshot.job
        }
        guard job.state == .complete else {
            // A job that had ended before the socket opened: its state, and a normal close.
            try await writer.send(text: StreamMessages.text(StreamMessages.Job(job: job)))
            return (.normalClosure, nil)
        }
        // The replay starts playing for a client that came after the end, paused for one that
        // watched the render (its player has not started yet).
        return try await sendReplay(job: job, playing: seed.job.state == .complete, logger: logger)
    }

    /// The live phase: the newest frame at each due tick, the job's state changes. Returns how to
    /// close when the stream ends here; nil when the job completed (the replay follows).
    private func sendLive(_ live: LiveJob, watch: LiveJob.Watch) async throws -> (WebSocketErrorCode, reason: String?)? {
        state.withLock { $0.phase = .live(live) }
        // The job's wake-ups join the ticker's in the one stream the sender reads.
        let forward = Task { [wake] in
            for await _ in watch.wakeUps { wake.yield() }
        }
        defer { forward.cancel() }
        var described = false
        var lastState: JobState?
        var lastSentDue: UInt32 = 0
        var lastSentFrame: UInt32?
        for await _ in wakes {
            if services.board.goingAway.isSet { return try await bye() }
            for _ in takeControls() {
                try await writer.send(text: StreamMessages.text(StreamMessages.Failure(error: .init(
                    code: "no_replay_yet", message: "the job is still rendering: play, pause and seek steer its replay, once the mix exists"))))
            }
            let snapshot = live.snapshot
            if snapshot.job.state != lastState {
                lastState = snapshot.job.state
                try await writer.send(text: StreamMessages.text(StreamMessages.Job(job: snapshot.job)))
            }
            if snapshot.job.state.isTerminal { return snapshot.job.state == .complete ? nil : finalClose(snapshot.job) }
            guard let header = snapshot.header else { continue }
            if !described {
                described = true
                try await writer.send(text: StreamMessages.text(
                    StreamMessages.Description(jobID: jobID, header: header, request: request, replay: nil, now: .now)))
            }
            let due = state.withLock { $0.due }
            guard let frame = snapshot.frame, due != lastSentDue, frame.sequence != lastSentFrame else { continue }
            try await sendFrame(
                sequence: due, index: frame.index, mediaTimeS: frame.mediaTimeS,
                body: frame.encoded(request.encoding == .binary ? .binary(request.channels) : .json(request.channels)))
            lastSentDue = due
            lastSentFrame = frame.sequence
        }
        return (.normalClosure, nil)
    }

    /// A job that ended without a mix while the socket watched: normal close, or going away when
    /// the shutdown cut it off.
    private func finalClose(_ job: JobRecord) -> (WebSocketErrorCode, reason: String?) {
        job.error == WorkerPool.shutdownReason ? (.goingAway, "the server shut down") : (.normalClosure, nil)
    }

    /// The replay phase: frames from the job's frame file in audio time, steered by the client.
    private func sendReplay(job: JobRecord, playing: Bool, logger: Logger) async throws -> (WebSocketErrorCode, reason: String?) {
        let reader: FrameFileReader
        do {
            reader = try FrameFileReader(url: try services.destination(of: job).framesURL, cache: services.frameChunks)
        } catch {
            logger.error("the frames of job \(job.id) could not be read", metadata: ["error": "\(error)"])
            try await writer.send(text: StreamMessages.text(StreamMessages.Failure(error: .init(
                code: "frames_unavailable", message: "the job's meter frames cannot be read"))))
            return (.unexpectedServerError, "the job's meter frames cannot be read")
        }
        let header = reader.header
        let now = ContinuousClock.now
        let start = ReplayClock(
            durationS: Double(header.frameCount) / Double(header.framesPerSecond), positionS: request.fromSeconds,
            playing: playing, now: now)
        // The replay's first frame is due at once, playing or not: the meters show where it is.
        state.withLock { state in
            state.phase = .replay(header)
            state.clock = start
            Self.countDue(&state, at: now)
        }
        try await writer.send(text: StreamMessages.text(
            StreamMessages.Description(jobID: jobID, header: header, request: request, replay: start, now: now)))
        var lastSentDue: UInt32?
        wake.yield()
        for await _ in wakes {
            if services.board.goingAway.isSet { return try await bye() }
            for text in takeControls() {
                switch ControlMessage.parse(text) {
                case .success(let control):
                    let clock = apply(control)
                    try await writer.send(text: StreamMessages.text(
                        StreamMessages.Playback(playing: clock.isPlaying, positionS: clock.positionS(at: .now))))
                case .failure(let error):
                    try await writer.send(text: StreamMessages.text(StreamMessages.Failure(error: .init(
                        code: "bad_control", message: error.message))))
                }
            }
            // The frame sent is the one counted due (at the tick's time on the grid, or where a
            // control moved the replay): the clock read again now could show the next tick's frame
            // early, and that one again at the next tick.
            let (due, index) = state.withLock { state in (state.due, state.lastTickKey ?? 0) }
            guard due != lastSentDue else { continue }
            let body: ByteBuffer
            do {
                body = try encodeReplayFrame(index, reader: reader)
            } catch {
                logger.error("a frame of job \(job.id) could not be read", metadata: ["error": "\(error)"])
                try await writer.send(text: StreamMessages.text(StreamMessages.Failure(error: .init(
                    code: "frames_unavailable", message: "the job's meter frames cannot be read"))))
                return (.unexpectedServerError, "the job's meter frames cannot be read")
            }
            try await sendFrame(
                sequence: due, index: index, mediaTimeS: Double(index) / Double(header.framesPerSecond), body: body)
            lastSentDue = due
        }
        return (.normalClosure, nil)
    }

    /// The shared part of a replayed frame's message, in the stream's encoding.
    private func encodeReplayFrame(_ index: Int, reader: FrameFileReader) throws -> ByteBuffer {
        let header = reader.header
        return try reader.withRecord(at: index) { record in
            var flags: RealtimeLayout.Flags = [.complete, .replay]
            if index == header.frameCount - 1 { flags.insert(.last) }
            switch request.encoding {
            case .binary:
                return RealtimeEncoder.binaryBody(record: record, layout: reader.recordLayout, channels: request.channels, flags: flags)
            case .json:
                let frame = MeterFrame(record: record, index: index, header: header, isComplete: true)
                return RealtimeEncoder.jsonBody(frame, channels: request.channels, flags: flags)
            }
        }
    }

    /// A frame is due now (the replay began, or moved): counted, with its index as the newest seen.
    private static func countDue(_ state: inout State, at now: ContinuousClock.Instant) {
        guard case .replay(let header) = state.phase, let clock = state.clock else { return }
        state.due &+= 1
        state.lastTickKey = clock.frameIndex(at: now, framesPerSecond: header.framesPerSecond, frameCount: header.frameCount)
    }

    /// Applies a control to the replay clock; returns the clock after it.
    private func apply(_ control: ControlMessage) -> ReplayClock {
        state.withLock { state in
            let now = ContinuousClock.now
            switch control {
            case .play(let at): state.clock?.play(at: at, now: now)
            case .pause(let at): state.clock?.pause(at: at)
            case .seek(let to): state.clock?.seek(to: to, now: now)
            }
            // The new position is due at once, even if it shows the same frame index.
            Self.countDue(&state, at: now)
            return state.clock!
        }
    }

    private func sendFrame(sequence: UInt32, index: Int, mediaTimeS: Double, body: ByteBuffer) async throws {
        let sentAtMs = Date().timeIntervalSince1970 * 1000
        switch request.encoding {
        case .binary:
            let prefix = RealtimeEncoder.binaryPrefix(sequence: sequence, frameIndex: index, mediaTimeS: mediaTimeS, sentAtMs: sentAtMs)
            try await writer.send(.binary, [prefix, body])
        case .json:
            try await writer.send(.text, [RealtimeEncoder.jsonPrefix(sequence: sequence, sentAtMs: sentAtMs), body])
        }
        services.metrics.realtimeFrameSent()
    }

    private func bye() async throws -> (WebSocketErrorCode, reason: String?) {
        try await writer.send(text: StreamMessages.text(StreamMessages.Bye(reason: "the server is shutting down")))
        return (.goingAway, "the server is shutting down")
    }
}
