import Foundation
import GRDB

/// Sessions, jobs and their timelines in one SQLite file (GRDB `DatabasePool`: WAL mode, readers
/// alongside the writer), migrated on open. Survives restarts; every job transition and its
/// timeline entry are written in one transaction.
public final class MixStore: Sendable {
    /// The database file's name inside the data folder.
    public static let fileName = "mixdown.sqlite"

    private let pool: DatabasePool
    public let url: URL

    /// Opens (creating when needed) the store in `directory`.
    public init(directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        url = directory.appendingPathComponent(Self.fileName)
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(5)
        pool = try DatabasePool(path: url.path, configuration: configuration)
        try Self.migrator.migrate(pool)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: sessions, jobs, timelines") { db in
            try db.create(table: SessionRecord.databaseTableName) { table in
                table.primaryKey("id", .text)
                table.column("token_hash", .text).notNull()
                table.column("created_at", .datetime).notNull()
            }
            try db.create(table: JobRecord.databaseTableName) { table in
                table.primaryKey("id", .text)
                table.column("session_id", .text).notNull().indexed()
                    .references(SessionRecord.databaseTableName, onDelete: .cascade)
                table.column("state", .text).notNull().indexed()
                table.column("progress", .integer).notNull()
                table.column("message", .text).notNull()
                table.column("error", .text)
                table.column("options_json", .text).notNull()
                table.column("created_at", .datetime).notNull()
                table.column("updated_at", .datetime).notNull()
            }
            try db.create(table: TimelineRecord.databaseTableName) { table in
                table.column("job_id", .text).notNull().references(JobRecord.databaseTableName, onDelete: .cascade)
                table.column("seq", .integer).notNull()
                table.column("state", .text).notNull()
                table.column("message", .text).notNull()
                table.column("progress", .integer).notNull()
                table.column("at", .datetime).notNull()
                table.primaryKey(["job_id", "seq"])
            }
        }
        migrator.registerMigration("v2: stems") { db in
            try db.create(table: StemRecord.databaseTableName) { table in
                table.primaryKey("id", .text)
                table.column("session_id", .text).notNull().indexed()
                    .references(SessionRecord.databaseTableName, onDelete: .cascade)
                table.column("name", .text).notNull()
                table.column("role", .text).notNull()
                table.column("role_source", .text).notNull()
                table.column("format", .text).notNull()
                table.column("sample_rate", .integer).notNull()
                table.column("channels", .integer).notNull()
                table.column("frame_count", .integer).notNull()
                table.column("peak_dbfs", .double)
                table.column("loudness_lufs", .double)
                table.column("gain_db", .double).notNull()
                table.column("muted", .boolean).notNull()
                table.column("features_json", .text)
                table.column("created_at", .datetime).notNull()
                table.uniqueKey(["session_id", "name"])
            }
        }
        return migrator
    }

    // MARK: Stems

    public func insert(_ stem: StemRecord) throws {
        try pool.write { db in try stem.insert(db) }
    }

    /// The session's stems, in upload order.
    public func stems(sessionID: String) throws -> [StemRecord] {
        try pool.read { db in
            try StemRecord.filter(Column("session_id") == sessionID).order(Column("created_at"), Column("id")).fetchAll(db)
        }
    }

    public func stem(id: String, sessionID: String) throws -> StemRecord? {
        try pool.read { db in
            try StemRecord.filter(Column("id") == id && Column("session_id") == sessionID).fetchOne(db)
        }
    }

    /// Saves changed stems (all in one transaction).
    public func update(_ stems: [StemRecord]) throws {
        try pool.write { db in
            for stem in stems { try stem.update(db) }
        }
    }

    /// Removes a stem's row; true when there was one.
    @discardableResult
    public func deleteStem(id: String, sessionID: String) throws -> Bool {
        try pool.write { db in
            try StemRecord.filter(Column("id") == id && Column("session_id") == sessionID).deleteAll(db) > 0
        }
    }

    // MARK: Sessions

    public func insert(_ session: SessionRecord) throws {
        try pool.write { db in try session.insert(db) }
    }

    public func session(id: String) throws -> SessionRecord? {
        try pool.read { db in try SessionRecord.fetchOne(db, key: id) }
    }

    // MARK: Jobs

    /// Stores a new job (queued) and its first timeline entry.
    public func insert(_ job: JobRecord) throws {
        try pool.write { db in
            try job.insert(db)
            try TimelineRecord(
                jobID: job.id, sequence: 0, state: job.state, message: job.message, progress: job.progress, at: job.createdAt
            ).insert(db)
        }
    }

    public func job(id: String) throws -> JobRecord? {
        try pool.read { db in try JobRecord.fetchOne(db, key: id) }
    }

    /// The session's jobs, newest first.
    public func jobs(sessionID: String) throws -> [JobRecord] {
        try pool.read { db in
            try JobRecord.filter(Column("session_id") == sessionID).order(Column("created_at").desc).fetchAll(db)
        }
    }

    /// The job's timeline, oldest first.
    public func timeline(jobID: String) throws -> [TimelineEntry] {
        try pool.read { db in
            try TimelineRecord.filter(Column("job_id") == jobID).order(Column("seq")).fetchAll(db).map(\.entry)
        }
    }

    /// Applies `event` to the stored job in one transaction: the new state, and one timeline
    /// entry per state change. Returns the job as stored and the actions to carry out; throws
    /// `JobTransitionError` (nothing written) when the state does not allow the event, and
    /// `MixStoreError.noSuchJob` when there is no such job.
    public func apply(_ event: JobMachine.Event, toJob id: String, at now: Date = Date()) throws -> (JobRecord, [JobMachine.Action]) {
        try pool.write { db in
            guard var job = try JobRecord.fetchOne(db, key: id) else { throw MixStoreError.noSuchJob(id) }
            var machine = job.machine
            let actions = try machine.handle(event, at: now)
            guard machine != job.machine else { return (job, actions) }
            job.machine = machine
            job.updatedAt = now
            try job.update(db)
            var next = try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), -1) + 1 FROM timeline WHERE job_id = ?", arguments: [id]) ?? 0
            for case .appendTimeline(let entry) in actions {
                try TimelineRecord(
                    jobID: id, sequence: next, state: entry.state, message: entry.message, progress: entry.progress, at: entry.at
                ).insert(db)
                next += 1
            }
            return (job, actions)
        }
    }

    /// At start-up: every job a previous process left running is marked failed, saying why
    /// (queued jobs stay queued, to be taken again). Returns their ids.
    public func failInterruptedJobs(at now: Date = Date()) throws -> [String] {
        let running = try pool.read { db in
            try JobRecord.filter(!([JobState.queued, .complete, .failed, .cancelled].map(\.rawValue)).contains(Column("state")))
                .fetchAll(db)
        }
        for job in running { _ = try apply(.interrupted, toJob: job.id, at: now) }
        return running.map(\.id)
    }

    /// How many jobs are in each state (every state listed, zero included).
    public func jobCounts() throws -> [JobState: Int] {
        let rows = try pool.read { db in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM job GROUP BY state") }
        var counts = Dictionary(uniqueKeysWithValues: JobState.allCases.map { ($0, 0) })
        for row in rows {
            if let state = JobState(rawValue: row["state"]) { counts[state] = row["n"] }
        }
        return counts
    }

    /// Queued jobs, oldest first (what a worker pool takes at start-up).
    public func queuedJobs() throws -> [JobRecord] {
        try pool.read { db in
            try JobRecord.filter(Column("state") == JobState.queued.rawValue).order(Column("created_at")).fetchAll(db)
        }
    }
}

/// A store error that names what was missing.
public enum MixStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case noSuchJob(String)

    public var description: String {
        switch self {
        case .noSuchJob(let id): return "no job \(id)"
        }
    }
}
