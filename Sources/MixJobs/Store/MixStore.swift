import Foundation
import GRDB

/// Sessions, jobs and their timelines in one SQLite file (GRDB `DatabasePool`: WAL mode, readers
/// alongside the writer), migrated on open. Survives restarts; every job transition and its
/// timeline entry are written in one transaction.
///
/// Every method is async: GRDB runs the query on its own queues, never on Swift's cooperative
/// threads. The synchronous ones (`…Blocking`) are for a render's own thread.
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
            try createStemTable(db, uniqueNames: true)
        }
        migrator.registerMigration("v3: two stems of a session may share a name") { db in
            // SQLite cannot drop a constraint: the table is made again without it.
            try db.rename(table: StemRecord.databaseTableName, to: "stem_v2")
            try db.execute(sql: "DROP INDEX IF EXISTS stem_on_session_id")  // the new table makes its own
            try createStemTable(db, uniqueNames: false)
            try db.execute(sql: "INSERT INTO \(StemRecord.databaseTableName) SELECT * FROM stem_v2")
            try db.drop(table: "stem_v2")
        }
        return migrator
    }

    /// The stem table; version 2 kept names unique within a session.
    private static func createStemTable(_ db: Database, uniqueNames: Bool) throws {
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
            if uniqueNames { table.uniqueKey(["session_id", "name"]) }
        }
    }

    /// A write in one transaction; a constraint the data breaks (a stem of a session deleted
    /// meanwhile, a duplicate id) is `MixStoreError.conflict`, not a database error.
    private func write<T: Sendable>(_ updates: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(updates)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw MixStoreError.conflict(error.message ?? "a constraint of the store")
        }
    }

    // MARK: Stems

    public func insert(_ stem: StemRecord) async throws {
        try await write { db in try stem.insert(db) }
    }

    /// The session's stems, in upload order.
    public func stems(sessionID: String) async throws -> [StemRecord] {
        try await pool.read { db in try Self.stems(sessionID: sessionID).fetchAll(db) }
    }

    /// `stems(sessionID:)`, blocking the calling thread: for a render's own thread.
    public func stemsBlocking(sessionID: String) throws -> [StemRecord] {
        try pool.read { db in try Self.stems(sessionID: sessionID).fetchAll(db) }
    }

    private static func stems(sessionID: String) -> QueryInterfaceRequest<StemRecord> {
        StemRecord.filter(Column("session_id") == sessionID).order(Column("created_at"), Column("id"))
    }

    public func stem(id: String, sessionID: String) async throws -> StemRecord? {
        try await pool.read { db in
            try StemRecord.filter(Column("id") == id && Column("session_id") == sessionID).fetchOne(db)
        }
    }

    /// Saves changed stems (all in one transaction); `MixStoreError.noSuchStem` when one was
    /// deleted meanwhile.
    public func update(_ stems: [StemRecord]) async throws {
        do {
            try await write { db in
                for stem in stems { try stem.update(db) }
            }
        } catch let error as RecordError {
            if case .recordNotFound = error, let stem = stems.first { throw MixStoreError.noSuchStem(stem.id) }
            throw error
        }
    }

    /// Removes a stem's row; true when there was one.
    @discardableResult
    public func deleteStem(id: String, sessionID: String) async throws -> Bool {
        try await write { db in
            try StemRecord.filter(Column("id") == id && Column("session_id") == sessionID).deleteAll(db) > 0
        }
    }

    // MARK: Sessions

    public func insert(_ session: SessionRecord) async throws {
        try await write { db in try session.insert(db) }
    }

    public func session(id: String) async throws -> SessionRecord? {
        try await pool.read { db in try SessionRecord.fetchOne(db, key: id) }
    }

    // MARK: Jobs

    /// Stores a new job (queued) and its first timeline entry.
    public func insert(_ job: JobRecord) async throws {
        try await write { db in
            try job.insert(db)
            try TimelineRecord(
                jobID: job.id, sequence: 0, state: job.state, message: job.message, progress: job.progress, at: job.createdAt
            ).insert(db)
        }
    }

    public func job(id: String) async throws -> JobRecord? {
        try await pool.read { db in try JobRecord.fetchOne(db, key: id) }
    }

    /// The session's jobs, newest first.
    public func jobs(sessionID: String) async throws -> [JobRecord] {
        try await pool.read { db in
            try JobRecord.filter(Column("session_id") == sessionID).order(Column("created_at").desc).fetchAll(db)
        }
    }

    /// The job's timeline, oldest first.
    public func timeline(jobID: String) async throws -> [TimelineEntry] {
        try await pool.read { db in try Self.timeline(jobID: jobID, in: db) }
    }

    /// The job and its timeline, read together.
    public func jobWithTimeline(id: String) async throws -> (job: JobRecord, timeline: [TimelineEntry])? {
        try await pool.read { db in
            guard let job = try JobRecord.fetchOne(db, key: id) else { return nil }
            return (job, try Self.timeline(jobID: id, in: db))
        }
    }

    /// Applies `event` to the stored job in one transaction: the new state, and one timeline
    /// entry per state change. Returns the change (the job as stored, the entries added, the
    /// actions to carry out); throws `JobTransitionError` (nothing written) when the state does
    /// not allow the event, and `MixStoreError.noSuchJob` when there is no such job.
    public func apply(_ event: JobMachine.Event, toJob id: String, at now: Date = Date()) async throws -> JobChange {
        try await write { db in try Self.apply(event, toJob: id, at: now, in: db) }
    }

    /// `apply`, blocking the calling thread: for a render's own thread (never Swift's
    /// cooperative ones), which reports its progress as it goes.
    public func applyBlocking(_ event: JobMachine.Event, toJob id: String, at now: Date = Date()) throws -> JobChange {
        try pool.write { db in try Self.apply(event, toJob: id, at: now, in: db) }
    }

    private static func apply(_ event: JobMachine.Event, toJob id: String, at now: Date, in db: Database) throws -> JobChange {
        guard var job = try JobRecord.fetchOne(db, key: id) else { throw MixStoreError.noSuchJob(id) }
        var machine = job.machine
        let actions = try machine.handle(event, at: now)
        guard machine != job.machine else {
            return JobChange(job: job, timeline: try timeline(jobID: id, in: db), appended: [], actions: actions)
        }
        job.machine = machine
        job.updatedAt = now
        try job.update(db)
        var next = try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), -1) + 1 FROM timeline WHERE job_id = ?", arguments: [id]) ?? 0
        var appended: [TimelineEntry] = []
        for case .appendTimeline(let entry) in actions {
            try TimelineRecord(
                jobID: id, sequence: next, state: entry.state, message: entry.message, progress: entry.progress, at: entry.at
            ).insert(db)
            appended.append(entry)
            next += 1
        }
        return JobChange(job: job, timeline: try timeline(jobID: id, in: db), appended: appended, actions: actions)
    }

    private static func timeline(jobID: String, in db: Database) throws -> [TimelineEntry] {
        try TimelineRecord.filter(Column("job_id") == jobID).order(Column("seq")).fetchAll(db).map(\.entry)
    }

    /// At start-up: every job a previous process left running is marked failed, saying why
    /// (queued jobs stay queued, to be taken again). Returns their ids.
    public func failInterruptedJobs(at now: Date = Date()) async throws -> [String] {
        let running = try await pool.read { db in
            try JobRecord.filter(!([JobState.queued, .complete, .failed, .cancelled].map(\.rawValue)).contains(Column("state")))
                .fetchAll(db)
        }
        for job in running { _ = try await apply(.interrupted, toJob: job.id, at: now) }
        return running.map(\.id)
    }

    /// How many jobs are in each state (every state listed, zero included).
    public func jobCounts() async throws -> [JobState: Int] {
        // Plain values out of the read (rows are not Sendable: with them, the blocking read
        // would be chosen over the async one).
        let stored: [String: Int] = try await pool.read { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM job GROUP BY state") {
                counts[row["state"]] = row["n"]
            }
            return counts
        }
        return Dictionary(uniqueKeysWithValues: JobState.allCases.map { ($0, stored[$0.rawValue] ?? 0) })
    }

    /// Queued jobs, oldest first (what a worker pool takes at start-up).
    public func queuedJobs() async throws -> [JobRecord] {
        try await pool.read { db in
            try JobRecord.filter(Column("state") == JobState.queued.rawValue).order(Column("created_at")).fetchAll(db)
        }
    }

    /// Every job's state (for tidying files at start-up).
    public func jobStates() async throws -> [String: JobState] {
        try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT id, state FROM job")
            var states: [String: JobState] = [:]
            for row in rows {
                if let state = JobState(rawValue: row["state"]) { states[row["id"]] = state }
            }
            return states
        }
    }
}

/// What one event did to a stored job: the job and its whole timeline as stored now, the
/// timeline entries it added (one per state change), and what the owner must do.
public struct JobChange: Sendable {
    public let job: JobRecord
    public let timeline: [TimelineEntry]
    public let appended: [TimelineEntry]
    public let actions: [JobMachine.Action]

    public init(job: JobRecord, timeline: [TimelineEntry], appended: [TimelineEntry] = [], actions: [JobMachine.Action] = []) {
        self.job = job
        self.timeline = timeline
        self.appended = appended
        self.actions = actions
    }
}

/// A store error that names what was missing.
public enum MixStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case noSuchJob(String)
    case noSuchStem(String)
    /// A write the stored data refused (what it broke, in SQLite's words).
    case conflict(String)

    public var description: String {
        switch self {
        case .noSuchJob(let id): return "no job \(id)"
        case .noSuchStem(let id): return "no stem \(id)"
        case .conflict(let what): return "the change conflicts with what is stored (\(what))"
        }
    }
}
