import Foundation
import MixAnalysis

/// The balance as mixed: the BS.1770 loudness of the mix at the blend, of the lead vocal(s), of
/// all the vocals and of everything but the lead, so the quality report can say where the lead
/// sits (QUALITY.md: lead re: mix, vocals re: mix, lead re: the rest). Read from the groups'
/// `BlendLoudness` at the gains the blend used: the loudness of each sum exactly as a meter on
/// that sum reads it (within 0.01 LU, `BlendLoudnessTests`), without making the sums.
struct BalanceReading: Sendable, Equatable {
    /// nil: the stream is silent, or the session has no such track.
    var mixLUFS: Double?
    var leadLUFS: Double?
    var vocalsLUFS: Double?
    var restLUFS: Double?

    init(mixLUFS: Double?, leadLUFS: Double?, vocalsLUFS: Double?, restLUFS: Double?) {
        (self.mixLUFS, self.leadLUFS, self.vocalsLUFS, self.restLUFS) = (mixLUFS, leadLUFS, vocalsLUFS, restLUFS)
    }

    /// The reading of a blend of `groups` at `gainsDB` (in `groups` order, the blend's headroom
    /// included) from their `loudness`.
    init(groups: [MixGroup], gainsDB: [Double], loudness: BlendLoudness) {
        func sum(_ member: (MixGroup) -> Bool) -> Double? {
            guard groups.contains(where: member) else { return nil }
            return loudness.integratedLUFS(gains: zip(groups, gainsDB).map { group, dB in member(group) ? pow(10, dB / 20) : 0 })
        }
        self.init(
            mixLUFS: sum { _ in true }, leadLUFS: sum { $0 == .lead }, vocalsLUFS: sum { $0 != .beat },
            restLUFS: sum { $0 != .lead })
    }
}
