import MixDSP

extension MixSummary {
    /// The reference a mix was matched to: its loudness (the master's target), the EQ fitted to
    /// its tonal balance, and how closely that EQ follows the difference it was fitted to.
    public struct Reference: Sendable, Encodable {
        public var file: String
        public var loudnessLUFS: Double
        /// The match EQ's bands (empty when the spectra could not be compared).
        public var eq: [Equalizer.Band]
        /// The largest gap between the difference fitted and the EQ's response, 60 Hz–12 kHz.
        public var residualMaxDB: Double?

        /// The match EQ's largest move, either way, dB.
        public var largestGainDB: Double { eq.map { abs($0.gainDB) }.max() ?? 0 }

        init(_ reference: ReferenceTrack, match: ReferenceMatch?) {
            file = reference.fileName
            loudnessLUFS = reference.loudnessLUFS
            eq = (match?.bands ?? []).map { band in
                var band = band
                band.gainDB = rounded(band.gainDB)
                return band
            }
            residualMaxDB = match?.residualMaxDB
        }

        enum CodingKeys: String, CodingKey {
            case file, eq
            case loudnessLUFS = "loudness_lufs", residualMaxDB = "residual_max_db"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(file, forKey: .file)
            try c.encode(rounded(loudnessLUFS), forKey: .loudnessLUFS)
            try c.encode(eq.map(SummaryBand.init), forKey: .eq)
            try c.encode(residualMaxDB.map(rounded), forKey: .residualMaxDB)
        }
    }
}
