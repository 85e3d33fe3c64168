import Foundation
import Hummingbird
import MixEngine
import MixJobs

/// A stem as the API shows it.
struct StemResponse: ResponseEncodable {
    let stemID: String
    let name: String
    let role: Role
    let roleGuessed: Bool
    let format: String
    let sampleRate: Int
    let channels: Int
    let durationS: Double
    let peakDBFS: Double?
    let loudnessLUFS: Double?
    let gainDB: Double
    let muted: Bool

    init(_ stem: StemRecord) {
        stemID = stem.id
        name = stem.name
        role = stem.role
        roleGuessed = stem.roleSource == .content
        format = stem.format
        sampleRate = stem.sampleRate
        channels = stem.channels
        durationS = (stem.durationSeconds * 1000).rounded() / 1000
        peakDBFS = stem.peakDBFS.map { ($0 * 100).rounded() / 100 }
        loudnessLUFS = stem.loudnessLUFS.map { ($0 * 100).rounded() / 100 }
        gainDB = stem.gainDB
        muted = stem.muted
    }

    enum CodingKeys: String, CodingKey {
        case name, role, format, channels, muted
        case stemID = "stem_id", roleGuessed = "role_guessed", sampleRate = "sample_rate", durationS = "duration_s"
        case peakDBFS = "peak_dbfs", loudnessLUFS = "loudness_lufs", gainDB = "gain_db"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(stemID, forKey: .stemID)
        try c.encode(name, forKey: .name)
        try c.encode(role, forKey: .role)
        try c.encode(roleGuessed, forKey: .roleGuessed)
        try c.encode(format, forKey: .format)
        try c.encode(sampleRate, forKey: .sampleRate)
        try c.encode(channels, forKey: .channels)
        try c.encode(durationS, forKey: .durationS)
        try c.encode(peakDBFS, forKey: .peakDBFS)
        try c.encode(loudnessLUFS, forKey: .loudnessLUFS)
        try c.encode(gainDB, forKey: .gainDB)
        try c.encode(muted, forKey: .muted)
    }
}

/// A job's status (the original's fields).
struct JobResponse: ResponseEncodable {
    let jobID: String
    let sessionID: String
    let state: JobState
    let progress: Int
    let message: String
    let error: String?
    /// What the job was started with (`recipe`, `format`, `fps`, `basic`).
    let options: JobOptions?
    let createdAt: Date
    let updatedAt: Date

    init(_ job: JobRecord) {
        jobID = job.id
        sessionID = job.sessionID
        state = job.state
        progress = job.progress
        message = job.message
        error = job.error
        options = try? JobOptions.decode(job.optionsJSON)
        createdAt = job.createdAt
        updatedAt = job.updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case state, progress, message, error, options
        case jobID = "job_id", sessionID = "session_id", createdAt = "created_at", updatedAt = "updated_at"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(jobID, forKey: .jobID)
        try c.encode(sessionID, forKey: .sessionID)
        try c.encode(state, forKey: .state)
        try c.encode(progress, forKey: .progress)
        try c.encode(message, forKey: .message)
        try c.encode(error, forKey: .error)
        try c.encode(options, forKey: .options)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
    }
}

struct TimelineResponse: ResponseEncodable {
    let jobID: String
    let events: [TimelineEntry]

    enum CodingKeys: String, CodingKey {
        case events
        case jobID = "job_id"
    }
}

struct SessionCreatedResponse: ResponseEncodable {
    let sessionID: String
    let token: String

    enum CodingKeys: String, CodingKey {
        case token
        case sessionID = "session_id"
    }
}

struct SessionResponse: ResponseEncodable {
    let sessionID: String
    let createdAt: Date
    let stems: [StemResponse]
    let jobs: [JobResponse]

    enum CodingKeys: String, CodingKey {
        case stems, jobs
        case sessionID = "session_id", createdAt = "created_at"
    }
}

struct JobCreatedResponse: ResponseEncodable {
    let jobID: String

    enum CodingKeys: String, CodingKey {
        case jobID = "job_id"
    }
}

struct StemListResponse: ResponseEncodable {
    let stems: [StemResponse]
}
