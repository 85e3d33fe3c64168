extension MixSummary {
    /// How the groups were balanced (`GroupBalance`): the recipe's targets, each group's
    /// loudness after its chains and the gain it was given, and where that puts the lead.
    public struct Balance: Sendable, Encodable {
        public struct Group: Sendable, Encodable {
            public var group: MixGroup
            /// After the group's chains, before its gain.
            public var loudnessLUFS: Double?
            public var gainDB: Double

            enum CodingKeys: String, CodingKey {
                case group
                case loudnessLUFS = "loudness_lufs", gainDB = "gain_db"
            }

            public func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(group, forKey: .group)
                try c.encode(loudnessLUFS.map(rounded), forKey: .loudnessLUFS)
                try c.encode(rounded(gainDB), forKey: .gainDB)
            }
        }

        /// Whether the groups were moved; `note` says why not, or where a gain stopped at its limit.
        public var applied: Bool
        public var note: String?
        public var leadReRestTargetLU: Double?
        public var backingReLeadTargetLU: Double?
        /// Where the lead sits in the blend the gains make.
        public var leadReRestLU: Double?
        public var leadReMixLU: Double?
        public var groups: [Group]

        init(_ decision: GroupBalance.Decision, recipe: MixRecipe, basic: Bool, groups: [MixGroup]) {
            applied = decision.applied
            note = decision.note
            leadReRestTargetLU = basic ? nil : recipe.leadReRestLU
            backingReLeadTargetLU = basic ? nil : recipe.backingReLeadLU
            leadReRestLU = decision.leadReRestLU
            leadReMixLU = decision.leadReMixLU
            self.groups = groups.map {
                Group(group: $0, loudnessLUFS: decision.loudnessLUFS[$0], gainDB: decision.gainDB[$0] ?? 0)
            }
        }

        enum CodingKeys: String, CodingKey {
            case applied, note, groups
            case leadReRestTargetLU = "lead_re_rest_target_lu", backingReLeadTargetLU = "backing_re_lead_target_lu"
            case leadReRestLU = "lead_re_rest_lu", leadReMixLU = "lead_re_mix_lu"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(applied, forKey: .applied)
            try c.encode(note, forKey: .note)
            try c.encode(leadReRestTargetLU, forKey: .leadReRestTargetLU)
            try c.encode(backingReLeadTargetLU, forKey: .backingReLeadTargetLU)
            try c.encode(leadReRestLU.map(rounded), forKey: .leadReRestLU)
            try c.encode(leadReMixLU.map(rounded), forKey: .leadReMixLU)
            try c.encode(groups, forKey: .groups)
        }
    }
}
