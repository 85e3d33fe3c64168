/// What a stem's audio looks like to the role guesser: how much of its energy sits in the
/// sub-bass and in the top octave, how much of the time it plays, and its pitch over time.
public struct ContentFeatures: Sendable, Equatable, Codable {
    /// Share of the energy below 150 Hz (kick and 808 put a beat far above any voice).
    public var lowBandShare: Double
    /// Share of the energy above 7 kHz (hats, cymbals, air).
    public var highBandShare: Double
    /// Share of 50 ms windows within 30 dB of the stem's loud level: near 1 for a beat,
    /// lower for a vocal with breaths and rests, lowest for sparse adlibs.
    public var activity: Double
    /// Estimated fundamental per 50 ms window in Hz, 0 where unvoiced or silent.
    public var pitchTrackHz: [Float]

    public init(lowBandShare: Double, highBandShare: Double, activity: Double, pitchTrackHz: [Float] = []) {
        self.lowBandShare = lowBandShare
        self.highBandShare = highBandShare
        self.activity = activity
        self.pitchTrackHz = pitchTrackHz
    }
}

/// How much of the content to analyse while scanning a stem.
public enum ContentAnalysis: Sendable {
    /// None: the role is known from the name or the user.
    case none
    /// Band shares and activity: enough to tell a beat, an adlib and a lead.
    case features
    /// The features and a pitch track: needed to tell a double from a harmony.
    case featuresAndPitch
}
