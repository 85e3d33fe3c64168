import Foundation
@testable import MixEngine
import Testing

@Suite("The balance of the groups, decided from their loudness (GroupBalance)")
struct GroupBalanceTests {
    static let balance = GroupBalance(leadReRestLU: 0.5, backingReLeadLU: -10)

    /// A blend's loudness without audio: each group a steady power (`lufs`, nil for silence),
    /// the groups summed as power, and `coherence` (0…1) of the backing group's amplitude added
    /// in phase with the lead's, as a double is.
    static func model(_ lufs: [MixGroup: Double?], groups: [MixGroup], coherence: Double = 0) -> ([Double]) -> Double? {
        { gains in
            var power = 0.0
            var amplitude = [MixGroup: Double]()
            for (group, gain) in zip(groups, gains) {
                guard let level = lufs[group] ?? nil else { continue }
                let p = gain * gain * pow(10, (level + 0.691) / 10)
                power += p
                amplitude[group] = p.squareRoot()
            }
            power += 2 * coherence * (amplitude[.lead] ?? 0) * (amplitude[.backing] ?? 0)
            return power > 0 ? -0.691 + 10 * log10(power) : nil
        }
    }

    static func lufs(_ loudness: ([Double]) -> Double?, _ groups: [MixGroup], _ decision: GroupBalance.Decision,
                     _ member: (MixGroup) -> Bool) -> Double? {
        loudness(groups.map { member($0) ? pow(10, (decision.gainDB[$0] ?? 0) / 20) : 0 })
    }

    @Test("the backing group lands 10 LU under the lead and the rest 0.5 LU under it, the lead untouched",
          arguments: [(-18.0, -22.0, -15.0), (-18, -30, -25), (-12, -12, -20), (-25, -24, -12)])
    func targets(lead: Double, backing: Double, beat: Double) throws {
        let groups: [MixGroup] = [.lead, .backing, .beat]
        let loudness = Self.model([.lead: lead, .backing: backing, .beat: beat], groups: groups)
        let decision = Self.balance.decide(groups: groups, loudness: loudness)
        #expect(decision.applied && decision.note == nil)
        #expect(decision.gainDB[.lead] == 0)
        let backed = try #require(Self.lufs(loudness, groups, decision) { $0 == .backing })
        #expect(abs(backed - (lead - 10)) < 1e-9)
        let rest = try #require(Self.lufs(loudness, groups, decision) { $0 != .lead })
        #expect(abs(lead - rest - 0.5) < 0.001)
        #expect(abs(try #require(decision.leadReRestLU) - 0.5) < 0.001)
        // Lead and rest unrelated: the lead sits 10·log10(1 + 10^−0.05) = 2.76 LU under the mix.
        #expect(abs(try #require(decision.leadReMixLU) + 10 * log10(1 + pow(10, -0.05))) < 0.001)
    }

    @Test("with no backing vocals the beat sits 0.5 LU under the lead; with no beat only the backing moves")
    func missingGroups() throws {
        let leadAndBeat: [MixGroup] = [.lead, .beat]
        let loudness = Self.model([.lead: -18, .beat: -14], groups: leadAndBeat)
        let decision = Self.balance.decide(groups: leadAndBeat, loudness: loudness)
        #expect(abs(try #require(decision.gainDB[.beat]) - (-4.5)) < 0.001)
        #expect(decision.gainDB[.backing] == nil)

        let vocalsOnly: [MixGroup] = [.lead, .backing]
        let acappella = Self.balance.decide(groups: vocalsOnly, loudness: Self.model([.lead: -18, .backing: -20], groups: vocalsOnly))
        #expect(acappella.applied)
        #expect(abs(try #require(acappella.gainDB[.backing]) - (-8)) < 1e-9)
    }

    @Test("correlated groups (a double sums in phase with the lead): the rest still lands on target")
    func correlated() throws {
        let groups: [MixGroup] = [.lead, .backing, .beat]
        let loudness = Self.model([.lead: -18, .backing: -16, .beat: -20], groups: groups, coherence: 0.8)
        let decision = Self.balance.decide(groups: groups, loudness: loudness)
        let rest = try #require(Self.lufs(loudness, groups, decision) { $0 != .lead })
        #expect(abs(-18 - rest - 0.5) < 0.001)
        // The mix is louder than unrelated parts would make it: the lead sits further under it.
        #expect(try #require(decision.leadReMixLU) < -2.8)
    }

    @Test("no lead, or a silent one: nothing moves, and the summary says why")
    func noLead() {
        let groups: [MixGroup] = [.backing, .beat]
        let none = Self.balance.decide(groups: groups, loudness: Self.model([.backing: -20, .beat: -14], groups: groups))
        #expect(!none.applied && none.gainDB.isEmpty && none.note?.contains("no lead vocal") == true)
        let all: [MixGroup] = [.lead, .backing, .beat]
        let silent = Self.balance.decide(groups: all, loudness: Self.model([.lead: nil, .backing: -20, .beat: -14], groups: all))
        #expect(!silent.applied && silent.note?.contains("silent") == true)
    }

    @Test("a group never moves more than 15 dB, and the note names it")
    func limits() throws {
        let groups: [MixGroup] = [.lead, .beat]
        let decision = Self.balance.decide(groups: groups, loudness: Self.model([.lead: -18, .beat: -60], groups: groups))
        #expect(decision.gainDB[.beat] == GroupBalance.maxGainDB)
        #expect(decision.note?.contains("beat group") == true)
    }

    @Test("a recipe whose backing vocals alone would fill the rest is refused, naming the field")
    func recipeRule() throws {
        var recipe = MixRecipe()
        recipe.leadReRestLU = 2
        recipe.backingReLeadLU = -4
        #expect(throws: (any Error).self) { try recipe.validate() }
        do { try recipe.validate() } catch { #expect("\(error)".contains("backingReLeadLU")) }
        recipe.backingReLeadLU = -6
        try recipe.validate()
    }
}
