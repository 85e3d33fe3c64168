/// What a stem is in the song; it picks the stem's processing chain and its place in the mix.
public enum Role: String, Sendable, Codable, CaseIterable, Comparable {
    case lead
    case double
    case harmony
    case adlib
    case beat
    case other

    /// Processing order (SPEC §2): lead, double, harmony, adlib, other, beat.
    public var processingRank: Int {
        switch self {
        case .lead: return 0
        case .double: return 1
        case .harmony: return 2
        case .adlib: return 3
        case .other: return 4
        case .beat: return 5
        }
    }

    /// Whether the stem is a voice (the vocal chain: de-esser, air).
    public var isVocal: Bool {
        switch self {
        case .lead, .double, .harmony, .adlib: return true
        case .beat, .other: return false
        }
    }

    public static func < (lhs: Role, rhs: Role) -> Bool {
        lhs.processingRank < rhs.processingRank
    }
}

/// A role and where it came from.
public struct RoleAssignment: Sendable, Equatable {
    /// How the role was decided.
    public enum Source: String, Sendable, Codable {
        /// From words in the file name.
        case name
        /// From the audio, because the name says nothing: a guess.
        case content
        /// Set by the user (`--role FILE=ROLE`, the API, the page).
        case user
    }

    public var role: Role
    public var source: Source

    public init(_ role: Role, source: Source) {
        self.role = role
        self.source = source
    }

    /// True when the role is a guess from the audio.
    public var isGuessed: Bool { source == .content }
}
