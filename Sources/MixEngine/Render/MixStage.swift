/// Where a render is, in the job states' words (SPEC §5): the service maps them one to one.
public enum MixStage: String, Sendable, Codable, CaseIterable {
    case loading
    case processingTracks = "processing_tracks"
    case mixing
    case mastering
    case exporting

    /// Words for a progress bar.
    public var label: String {
        switch self {
        case .loading: return "loading"
        case .processingTracks: return "processing tracks"
        case .mixing: return "mixing"
        case .mastering: return "mastering"
        case .exporting: return "exporting"
        }
    }
}

/// A progress report: the stage and the share of the whole mix done (0…1, never going back).
public struct MixProgress: Sendable, Equatable {
    public var stage: MixStage
    public var fraction: Double

    public init(stage: MixStage, fraction: Double) {
        self.stage = stage
        self.fraction = fraction
    }
}
