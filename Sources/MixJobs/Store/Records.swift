import Foundation
import GRDB

/// A session: its id and the hash of its secret token (the token itself is never stored).
public struct SessionRecord: Sendable, Equatable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "session"
    public var id: String
    public var tokenHash: String
    public var createdAt: Date

    public init(id: String, tokenHash: String, createdAt: Date) {
        self.id = id
        self.tokenHash = tokenHash
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id
        case tokenHash = "token_hash", createdAt = "created_at"
    }
}

/// A mix job as stored: its state machine's fields, its options (JSON) and timestamps.
public struct JobRecord: Sendable, Equatable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "job"
    public var id: String
    public var sessionID: String
    public var state: JobState
    public var progress: Int
    public var message: String
    public var error: String?
    /// The options the job was started with, as JSON.
    public var optionsJSON: String
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: String, sessionID: String, optionsJSON: String, createdAt: Date) {
        let machine = JobMachine()
        self.id = id
        self.sessionID = sessionID
        state = machine.state
        progress = machine.progress
        message = machine.message
        error = machine.error
        self.optionsJSON = optionsJSON
        self.createdAt = createdAt
        updatedAt = createdAt
    }

    /// The state machine holding this record's state.
    public var machine: JobMachine {
        get { JobMachine(state: state, progress: progress, message: message, error: error) }
        set {
            state = newValue.state
            progress = newValue.progress
            message = newValue.message
            error = newValue.error
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, state, progress, message, error
        case sessionID = "session_id", optionsJSON = "options_json", createdAt = "created_at", updatedAt = "updated_at"
    }
}

/// One timeline entry of a job, numbered in order.
public struct TimelineRecord: Sendable, Equatable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "timeline"
    public var jobID: String
    public var sequence: Int
    public var state: JobState
    public var message: String
    public var progress: Int
    public var at: Date

    public var entry: TimelineEntry { TimelineEntry(state: state, message: message, progress: progress, at: at) }

    enum CodingKeys: String, CodingKey {
        case state, message, progress, at
        case jobID = "job_id", sequence = "seq"
    }
}

extension JobState: DatabaseValueConvertible {}
