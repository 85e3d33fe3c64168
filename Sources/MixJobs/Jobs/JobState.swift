import MixEngine

/// Where a mix job is (SPEC §5): queued, the render's stages in order, then one of three ends.
/// The raw values are the original service's state names.
public enum JobState: String, Sendable, Codable, CaseIterable {
    case queued
    case loading
    case processingTracks = "processing_tracks"
    case mixing
    case mastering
    case exporting
    case complete
    case failed
    case cancelled

    /// The job has ended; nothing moves it again.
    public var isTerminal: Bool {
        switch self {
        case .complete, .failed, .cancelled: return true
        default: return false
        }
    }

    /// A render is under way.
    public var isRunning: Bool { !isTerminal && self != .queued }

    /// Order along the happy path for comparing two states of one job: the stages in order,
    /// every end after them.
    public var pathOrder: Int { pathIndex ?? 7 }

    /// Order along the happy path (queued 0 … complete 6); the failures have none.
    var pathIndex: Int? {
        switch self {
        case .queued: return 0
        case .loading: return 1
        case .processingTracks: return 2
        case .mixing: return 3
        case .mastering: return 4
        case .exporting: return 5
        case .complete: return 6
        case .failed, .cancelled: return nil
        }
    }

    /// The job state a render stage is reported as.
    public init(_ stage: MixStage) {
        switch stage {
        case .loading: self = .loading
        case .processingTracks: self = .processingTracks
        case .mixing: self = .mixing
        case .mastering: self = .mastering
        case .exporting: self = .exporting
        }
    }
}
