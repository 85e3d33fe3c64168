import Foundation
import MixEngine
import MixJobs

/// One message of `/ws/mix/status/{job_id}`: the original's fields (`job_id, state, progress,
/// message, error, visual, timeline`) and the newest meter frame's `realtime_meters`,
/// `realtime_spectra`, `realtime_scope` (null before the first frame).
struct StatusMessage: Encodable {
    let job: JobRecord
    /// The summary, once the job is complete.
    let visual: JSONValue?
    let timeline: [TimelineEntry]
    let frame: RealtimeBlocks?

    enum CodingKeys: String, CodingKey {
        case state, progress, message, error, visual, timeline
        case jobID = "job_id", updatedAt = "updated_at", frame = "frame", frameTimeS = "frame_time_s"
        case realtimeMeters = "realtime_meters", realtimeSpectra = "realtime_spectra", realtimeScope = "realtime_scope"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(job.id, forKey: .jobID)
        try c.encode(job.state, forKey: .state)
        try c.encode(job.progress, forKey: .progress)
        try c.encode(job.message, forKey: .message)
        try c.encode(job.error, forKey: .error)
        try c.encode(visual, forKey: .visual)
        try c.encode(timeline, forKey: .timeline)
        try c.encode(job.updatedAt, forKey: .updatedAt)
        // Beside the original's fields: which frame of the mix the blocks show, and when in it.
        try c.encode(frame?.frame, forKey: .frame)
        try c.encode(frame?.timeSeconds, forKey: .frameTimeS)
        try c.encode(frame?.realtimeMeters, forKey: .realtimeMeters)
        try c.encode(frame?.realtimeSpectra, forKey: .realtimeSpectra)
        try c.encode(frame?.realtimeScope, forKey: .realtimeScope)
    }

    /// Dates to the millisecond (ISO 8601): a client can time how long a change took to reach it.
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(style))
        }
        return encoder
    }()

    func text() throws -> String {
        String(decoding: try Self.encoder.encode(self), as: UTF8.self)
    }
}
