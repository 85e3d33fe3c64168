/// Why a file cannot be used, in words a producer understands. The file's name is added by
/// whoever reports it (`StemReport`), so the reason never repeats or guesses it.
public struct InputRejection: Error, Sendable, Equatable, CustomStringConvertible {
    /// The reason, starting with the kind of problem: "truncated: …", "not an audio file …".
    public let reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}
