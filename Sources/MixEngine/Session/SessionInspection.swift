/// The result of inspecting a session folder: the session rate and one report per file, in
/// processing order (usable stems by role then name; rejected files after them).
public struct SessionInspection: Sendable {
    /// The rate every stem is conformed to.
    public var sessionRate: Int
    /// One report per audio file.
    public var stems: [StemReport]
    /// Files left out, with the reason ("notes.txt: not an audio file name").
    public var ignored: [String]

    public init(sessionRate: Int, stems: [StemReport], ignored: [String]) {
        self.sessionRate = sessionRate
        self.stems = stems
        self.ignored = ignored
    }

    /// The stems that can be mixed.
    public var usableStems: [StemReport] { stems.filter(\.isUsable) }
    /// The files that cannot.
    public var rejectedStems: [StemReport] { stems.filter { !$0.isUsable } }
}
