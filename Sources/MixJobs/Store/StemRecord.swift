import Foundation
import GRDB
import MixEngine

/// An uploaded stem: what the scan found, its role and where that came from, and the user's
/// gain and mute. The file is stored under its id, never under the name it was uploaded with.
public struct StemRecord: Sendable, Equatable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "stem"
    public var id: String
    public var sessionID: String
    /// The name it was uploaded as (data to show, never a path).
    public var name: String
    public var role: Role
    public var roleSource: RoleAssignment.Source
    public var format: String
    public var sampleRate: Int
    public var channels: Int
    public var frameCount: Int64
    public var peakDBFS: Double?
    public var loudnessLUFS: Double?
    public var gainDB: Double
    public var muted: Bool
    /// What the role guesser needs, as JSON.
    public var featuresJSON: String?
    public var createdAt: Date

    public init(
        id: String, sessionID: String, report: StemReport, createdAt: Date
    ) {
        self.id = id
        self.sessionID = sessionID
        name = report.fileName
        role = report.role.role
        roleSource = report.role.source
        format = report.format?.description ?? "unknown"
        sampleRate = report.sampleRate ?? 0
        channels = report.channelCount ?? 0
        frameCount = report.frameCount ?? 0
        peakDBFS = report.peakDBFS
        loudnessLUFS = report.loudnessLUFS
        gainDB = 0
        muted = false
        featuresJSON = report.contentFeatures.flatMap { try? String(decoding: JSONEncoder().encode($0), as: UTF8.self) }
        self.createdAt = createdAt
    }

    /// Length in seconds.
    public var durationSeconds: Double { sampleRate > 0 ? Double(frameCount) / Double(sampleRate) : 0 }

    /// The stem as the engine's report, its file at `url`.
    public func report(url: URL) -> StemReport {
        StemReport(
            id: id, fileName: name, sampleRate: sampleRate, channelCount: channels, frameCount: frameCount, peakDBFS: peakDBFS,
            loudnessLUFS: loudnessLUFS, role: RoleAssignment(role, source: roleSource),
            contentFeatures: featuresJSON.flatMap { try? JSONDecoder().decode(ContentFeatures.self, from: Data($0.utf8)) },
            url: url)
    }

    enum CodingKeys: String, CodingKey {
        case id, name, role, format, channels, muted
        case sessionID = "session_id", roleSource = "role_source", sampleRate = "sample_rate", frameCount = "frame_count"
        case peakDBFS = "peak_dbfs", loudnessLUFS = "loudness_lufs", gainDB = "gain_db", featuresJSON = "features_json"
        case createdAt = "created_at"
    }
}

extension Role: DatabaseValueConvertible {}
extension RoleAssignment.Source: DatabaseValueConvertible {}
