import Foundation

/// Gives a role to every stem whose name says nothing, from its audio and from the rest of
/// the session, and marks it as guessed.
///
/// 1. A music bed has a lot of sub-bass (kick, 808, bass) or plays all the time with a bright
///    top (hats): beat.
/// 2. With no lead named, the loudest, busiest voice is the lead.
/// 3. Another voice that is mostly rests is an adlib.
/// 4. A voice that sings the lead's pitch is a double; one that follows at another interval
///    (a third, a fifth) is a harmony.
public enum RoleGuesser {
    /// Above this share of energy under 150 Hz a stem is a beat (voices stay under about 5 %).
    static let beatLowBandShare = 0.12
    /// A stem playing this much of the time with this much top end is a beat even without bass.
    static let beatActivity = 0.9
    static let beatHighBandShare = 0.04
    /// Voices active less than this share of the time are adlibs.
    static let adlibActivity = 0.3
    /// A voice within this many semitones of the lead's pitch (folded to one octave) is a double.
    static let doubleIntervalSemitones: Float = 0.75
    /// Windows where both voices are voiced needed before comparing pitch at all.
    static let minimumSharedVoicedWindows = 20

    /// Replaces the role of every usable stem whose role came from nowhere (`.content` source)
    /// with a guess, leaving named and user-set roles alone.
    public static func assignGuessedRoles(_ reports: inout [StemReport]) {
        let guessable = reports.indices.filter {
            reports[$0].isUsable && reports[$0].role.source == .content && reports[$0].contentFeatures != nil
        }
        var voices: [Int] = []
        for index in guessable {
            let features = reports[index].contentFeatures!
            if isMusicBed(features) {
                reports[index].role = RoleAssignment(.beat, source: .content)
            } else {
                voices.append(index)
            }
        }
        var leadIndex = reports.indices.first {
            reports[$0].isUsable && reports[$0].role.role == .lead && reports[$0].role.source != .content
        }
        // A session needs a lead: with none named, the loudest, busiest voice is it, even a sparse one.
        var remaining = voices
        if leadIndex == nil, let loudest = remaining.max(by: { leadScore(reports[$0]) < leadScore(reports[$1]) }) {
            reports[loudest].role = RoleAssignment(.lead, source: .content)
            leadIndex = loudest
            remaining.removeAll { $0 == loudest }
        }
        remaining.removeAll { index in
            guard reports[index].contentFeatures!.activity < adlibActivity else { return false }
            reports[index].role = RoleAssignment(.adlib, source: .content)
            return true
        }
        let leadTrack = leadIndex.flatMap { reports[$0].contentFeatures?.pitchTrackHz } ?? []
        for index in remaining {
            let interval = medianInterval(reports[index].contentFeatures?.pitchTrackHz ?? [], against: leadTrack)
            let role: Role = interval.map { $0 > doubleIntervalSemitones ? .harmony : .double } ?? .double
            reports[index].role = RoleAssignment(role, source: .content)
        }
    }

    static func isMusicBed(_ features: ContentFeatures) -> Bool {
        features.lowBandShare >= beatLowBandShare
            || (features.activity >= beatActivity && features.highBandShare >= beatHighBandShare)
    }

    private static func leadScore(_ report: StemReport) -> Double {
        (report.loudnessLUFS ?? -100) + 20 * (report.contentFeatures?.activity ?? 0)
    }

    /// The median interval in semitones, folded into 0…6, between two pitch tracks where both
    /// are voiced; nil when they share too few voiced windows to say.
    public static func medianInterval(_ track: [Float], against reference: [Float]) -> Float? {
        var intervals: [Float] = []
        for (pitch, referencePitch) in zip(track, reference) where pitch > 0 && referencePitch > 0 {
            let semitones = 12 * log2(pitch / referencePitch)
            intervals.append(abs(semitones - 12 * (semitones / 12).rounded()))
        }
        guard intervals.count >= minimumSharedVoicedWindows else { return nil }
        intervals.sort()
        return intervals[intervals.count / 2]
    }
}
