import Foundation

/// One state change of a job, as its timeline shows it (append-only, timestamped, ordered).
public struct TimelineEntry: Sendable, Equatable, Codable {
    public var state: JobState
    public var message: String
    /// The job's progress (0–100) when it changed state.
    public var progress: Int
    public var at: Date

    public init(state: JobState, message: String, progress: Int, at: Date) {
        self.state = state
        self.message = message
        self.progress = progress
        self.at = at
    }
}
