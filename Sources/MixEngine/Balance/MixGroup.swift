/// The groups a mix is balanced by: the lead vocal is the reference, the backing vocals sit a
/// recipe's distance under it as one group however many they are, and the beat (with any other
/// instrument) fills the rest of the song to the recipe's lead-over-the-rest.
public enum MixGroup: String, Sendable, Codable, CaseIterable {
    /// Lead vocals (several when a session has a lead per section).
    case lead
    /// Doubles, harmonies and adlibs; each keeps its role's level within the group.
    case backing
    /// The beat and any other instrument.
    case beat

    public init(role: Role) {
        switch role {
        case .lead: self = .lead
        case .double, .harmony, .adlib: self = .backing
        case .beat, .other: self = .beat
        }
    }
}
