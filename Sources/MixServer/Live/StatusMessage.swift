import Foundation
import MixEngine
import MixJobs
import NIOCore

/// One message of `/ws/mix/status/{job_id}`: the original's fields (`job_id, state, progress,
/// message, error, visual, timeline`), `updated_at`, and the newest meter frame's
/// `realtime_meters`, `realtime_spectra`, `realtime_scope` (null before the first frame) with
/// `frame` and `frame_time_s`. The frame's part is encoded once per frame and shared by every
/// socket of the job (`LiveFrame.encoded(.status)`).
enum StatusMessage {
    /// The job's part.
    private struct JobFields: Encodable {
        let job: JobRecord
        let message: String
        let visual: JSONValue?
        let timeline: [TimelineEntry]

        enum CodingKeys: String, CodingKey {
            case state, progress, message, error, visual, timeline
            case jobID = "job_id", updatedAt = "updated_at"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(job.id, forKey: .jobID)
            try c.encode(job.state, forKey: .state)
            try c.encode(job.progress, forKey: .progress)
            try c.encode(message, forKey: .message)
            try c.encode(job.error, forKey: .error)
            try c.encode(visual, forKey: .visual)
            try c.encode(timeline, forKey: .timeline)
            try c.encode(job.updatedAt, forKey: .updatedAt)
        }
    }

    /// The frame's part: `"frame":…,"frame_time_s":…,"realtime_meters":…,"realtime_spectra":…,"realtime_scope":…`.
    private struct FrameFields: Encodable {
        let blocks: RealtimeBlocks?

        enum CodingKeys: String, CodingKey {
            case frame, frameTimeS = "frame_time_s"
            case realtimeMeters = "realtime_meters", realtimeSpectra = "realtime_spectra", realtimeScope = "realtime_scope"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(blocks?.frame, forKey: .frame)
            try c.encode(blocks?.timeSeconds, forKey: .frameTimeS)
            try c.encode(blocks?.realtimeMeters, forKey: .realtimeMeters)
            try c.encode(blocks?.realtimeSpectra, forKey: .realtimeSpectra)
            try c.encode(blocks?.realtimeScope, forKey: .realtimeScope)
        }
    }

    /// A frame's fields, without the enclosing braces; those of no frame (all null) when the frame
    /// cannot be encoded (it always can: every value in it is finite).
    static func frameFields(_ frame: MeterFrame?) -> ByteBuffer {
        guard let json = try? encoder.encode(FrameFields(blocks: frame?.realtimeBlocks)) else { return noFrameFields }
        return ByteBuffer(bytes: json.dropFirst().dropLast())
    }

    /// The fields of a message before the first frame.
    static let noFrameFields = ByteBuffer(
        string: #""frame":null,"frame_time_s":null,"realtime_meters":null,"realtime_spectra":null,"realtime_scope":null"#)

    /// The message's parts: the job's fields (and `message`, when the service says something
    /// else than the job), then the frame's shared ones.
    static func parts(
        job: JobRecord, timeline: [TimelineEntry], visual: JSONValue?, frame: LiveFrame?, message: String? = nil
    ) throws -> [ByteBuffer] {
        let jobJSON = try encoder.encode(JobFields(job: job, message: message ?? job.message, visual: visual, timeline: timeline))
        var head = ByteBuffer(bytes: jobJSON.dropLast())
        head.writeString(",")
        return [head, frame?.encoded(.status) ?? noFrameFields, ByteBuffer(string: "}")]
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
}
