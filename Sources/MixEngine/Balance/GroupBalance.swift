import Foundation

/// Where the groups go in the blend: one gain per group, decided from the groups' loudness after
/// their chains (pass 1) and before the blend, so the lead sits where the recipe puts it whatever
/// the number of backing stems (QUALITY.md: lead re: the mix about −2.7 LU, lead re: the rest
/// about +1 LU in pop and rap).
///
/// The lead keeps its level (its tracks were matched to the lead's target, so the chains'
/// thresholds saw a known level). The backing vocals as a group are brought `backingReLeadLU`
/// under the lead. The beat group is then brought to where the rest of the song (backing and
/// beat together, as they sum, correlation and gating included) sits `leadReRestLU` under the
/// lead. A value: the loudness of any gains in (`loudness`, a `BlendLoudness` in the render),
/// gains out; its tests need no audio.
public struct GroupBalance: Sendable, Equatable {
    /// The targets (from the recipe).
    public var leadReRestLU: Double
    public var backingReLeadLU: Double
    /// No group moves further than this either way: a stem far from its role's level after the
    /// match is a choice or a mistake the balance should not amplify.
    public static let maxGainDB = 15.0

    public init(leadReRestLU: Double, backingReLeadLU: Double) {
        self.leadReRestLU = leadReRestLU
        self.backingReLeadLU = backingReLeadLU
    }

    /// What was decided, and what it gives.
    public struct Decision: Sendable, Equatable {
        /// Each group's gain, dB (0 for a group the session lacks).
        public var gainDB: [MixGroup: Double]
        /// Each present group's loudness after its chains, before the gains.
        public var loudnessLUFS: [MixGroup: Double]
        /// Whether the groups were moved; when not, `note` says why.
        public var applied: Bool
        /// Why the balance was not applied, or where a gain stopped at its limit.
        public var note: String?
        /// Lead re: the rest and re: the mix, as blended (from the loudness of the sums).
        public var leadReRestLU: Double?
        public var leadReMixLU: Double?

        static func unbalanced(_ note: String, loudness: [MixGroup: Double]) -> Decision {
            Decision(gainDB: [:], loudnessLUFS: loudness, applied: false, note: note, leadReRestLU: nil, leadReMixLU: nil)
        }
    }

    /// The gains, given `groups` (those the session has, in the order `loudness` takes gains) and
    /// `loudness`: the integrated loudness of the blend with those amplitude gains (nil: silent).
    public func decide(groups: [MixGroup], loudness: ([Double]) -> Double?) -> Decision {
        func gains(_ dB: [MixGroup: Double]) -> [Double] {
            groups.map { dB[$0].map { pow(10, $0 / 20) } ?? 0 }
        }
        func alone(_ group: MixGroup) -> Double? {
            groups.contains(group) ? loudness(gains([group: 0])) : nil
        }
        var measured: [MixGroup: Double] = [:]
        for group in groups { measured[group] = alone(group) }
        guard let lead = measured[.lead] else {
            return .unbalanced(
                groups.contains(.lead)
                    ? "the lead vocal is silent: the groups keep their roles' levels"
                    : "no lead vocal: the groups keep their roles' levels", loudness: measured)
        }
        var gainDB: [MixGroup: Double] = [.lead: 0]
        var notes: [String] = []
        func limited(_ dB: Double, _ group: MixGroup) -> Double {
            guard abs(dB) > Self.maxGainDB else { return dB }
            let limit = dB < 0 ? -Self.maxGainDB : Self.maxGainDB
            notes.append(
                "the \(group.rawValue) group needed \(String(format: "%+.1f", dB)) dB; moved "
                    + "\(String(format: "%+.0f", limit)) dB, the most the balance moves a group")
            return limit
        }
        if let backing = measured[.backing] {
            gainDB[.backing] = limited(lead + backingReLeadLU - backing, .backing)
        }
        if measured[.beat] != nil {
            // The rest's loudness rises with the beat's gain: bisection on the gain in dB.
            let restTarget = lead - leadReRestLU
            func rest(_ beatDB: Double) -> Double {
                var dB = gainDB
                dB[.lead] = nil
                dB[.beat] = beatDB
                return loudness(gains(dB)) ?? -.infinity
            }
            var (low, high) = (-Self.maxGainDB - 1, Self.maxGainDB + 1)
            if rest(high) < restTarget {
                gainDB[.beat] = limited(high, .beat)
            } else if rest(low) > restTarget {
                gainDB[.beat] = limited(low, .beat)
            } else {
                for _ in 0..<40 {
                    let middle = 0.5 * (low + high)
                    if rest(middle) < restTarget { low = middle } else { high = middle }
                }
                gainDB[.beat] = limited(0.5 * (low + high), .beat)
            }
        }
        for group in groups where gainDB[group] == nil { gainDB[group] = 0 }
        var restDB = gainDB
        restDB[.lead] = nil
        let restLUFS = groups.count > 1 ? loudness(gains(restDB)) : nil
        let mixLUFS = loudness(gains(gainDB))
        return Decision(
            gainDB: gainDB, loudnessLUFS: measured, applied: true, note: notes.isEmpty ? nil : notes.joined(separator: "; "),
            leadReRestLU: restLUFS.map { lead - $0 }, leadReMixLU: mixLUFS.map { lead - $0 })
    }
}
