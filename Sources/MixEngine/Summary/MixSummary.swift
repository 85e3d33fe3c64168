import Foundation
import MixDSP

/// What a mix did and how it measured (the original's `visual`), written as JSON next to the
/// mix and printed by `mixdown mix --json`. Keys are snake_case; a value that does not exist
/// (the loudness of silence) is `null`, never missing.
public struct MixSummary: Sendable, Encodable {
    /// One track's decisions and readings.
    public struct Track: Sendable, Encodable {
        public var file: String
        /// The stem's id (`StemReport.id`): the service's stem id, or the file's name in a folder.
        public var stemID: String
        public var role: Role
        public var roleGuessed: Bool
        public var roleSource: RoleAssignment.Source
        /// The stem's own loudness, and the gain that brought it to its role's target.
        public var sourceLoudnessLUFS: Double?
        public var matchGainDB: Double
        public var faderDB: Double
        public var userGainDB: Double
        /// The balance's gain for the track's group (`MixSummary.Balance`).
        public var groupGainDB: Double
        public var eq: [Equalizer.Band]
        public var compressorGRAverageDB: Double
        public var compressorGRMaxDB: Double
        public var deEsserGRAverageDB: Double
        public var deEsserGRMaxDB: Double
        public var width: Double
        /// The rendered track's loudness as it enters the blend (its group's gain included).
        public var loudnessInMixLUFS: Double?
        /// For a widened stereo track: its L/R correlation and the loudness it loses in mono.
        public var monoCheck: MonoCheck?

        public struct MonoCheck: Sendable, Encodable, Equatable {
            public var correlation: Double
            public var monoLossLU: Double?

            enum CodingKeys: String, CodingKey {
                case correlation
                case monoLossLU = "mono_loss_lu"
            }

            public func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(rounded(correlation, places: 3), forKey: .correlation)
                try c.encode(monoLossLU.map(rounded), forKey: .monoLossLU)
            }
        }

        enum CodingKeys: String, CodingKey {
            case file, role, eq, width
            case stemID = "stem_id", roleGuessed = "role_guessed", roleSource = "role_source", sourceLoudnessLUFS = "source_loudness_lufs"
            case matchGainDB = "match_gain_db", faderDB = "fader_db", userGainDB = "user_gain_db", groupGainDB = "group_gain_db"
            case compressorGRAverageDB = "compressor_gr_avg_db", compressorGRMaxDB = "compressor_gr_max_db"
            case deEsserGRAverageDB = "de_esser_gr_avg_db", deEsserGRMaxDB = "de_esser_gr_max_db"
            case loudnessInMixLUFS = "loudness_in_mix_lufs", monoCheck = "mono_check"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(file, forKey: .file)
            try c.encode(stemID, forKey: .stemID)
            try c.encode(role, forKey: .role)
            try c.encode(roleGuessed, forKey: .roleGuessed)
            try c.encode(roleSource, forKey: .roleSource)
            try c.encode(sourceLoudnessLUFS.map(rounded), forKey: .sourceLoudnessLUFS)
            try c.encode(rounded(matchGainDB), forKey: .matchGainDB)
            try c.encode(rounded(faderDB), forKey: .faderDB)
            try c.encode(rounded(userGainDB), forKey: .userGainDB)
            try c.encode(rounded(groupGainDB), forKey: .groupGainDB)
            try c.encode(eq.map(SummaryBand.init), forKey: .eq)
            try c.encode(rounded(compressorGRAverageDB), forKey: .compressorGRAverageDB)
            try c.encode(rounded(compressorGRMaxDB), forKey: .compressorGRMaxDB)
            try c.encode(rounded(deEsserGRAverageDB), forKey: .deEsserGRAverageDB)
            try c.encode(rounded(deEsserGRMaxDB), forKey: .deEsserGRMaxDB)
            try c.encode(width, forKey: .width)
            try c.encode(loudnessInMixLUFS.map(rounded), forKey: .loudnessInMixLUFS)
            try c.encode(monoCheck, forKey: .monoCheck)
        }
    }

    /// The master bus's decisions and readings.
    public struct Master: Sendable, Encodable {
        public var gainDB: Double
        /// Master passes run to land on the target (measuring and writing).
        public var passes: Int
        public var blendHeadroomDB: Double
        public var eq: [Equalizer.Band]
        public var busCompressorGRAverageDB: Double
        public var busCompressorGRMaxDB: Double
        public var limiterGRAverageDB: Double
        public var limiterGRMaxDB: Double
        public var width: Double
        /// L/R correlation of the whole mix: above 0 means it holds together in mono.
        public var correlation: Double
        /// The cut the beat took to make room for the lead (nil: none was made).
        public var leadRoomGRAverageDB: Double?
        public var leadRoomGRMaxDB: Double?

        enum CodingKeys: String, CodingKey {
            case passes, eq, width, correlation
            case leadRoomGRAverageDB = "lead_room_gr_avg_db", leadRoomGRMaxDB = "lead_room_gr_max_db"
            case gainDB = "gain_db", blendHeadroomDB = "blend_headroom_db"
            case busCompressorGRAverageDB = "bus_compressor_gr_avg_db", busCompressorGRMaxDB = "bus_compressor_gr_max_db"
            case limiterGRAverageDB = "limiter_gr_avg_db", limiterGRMaxDB = "limiter_gr_max_db"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(rounded(gainDB), forKey: .gainDB)
            try c.encode(passes, forKey: .passes)
            try c.encode(blendHeadroomDB, forKey: .blendHeadroomDB)
            try c.encode(eq.map(SummaryBand.init), forKey: .eq)
            try c.encode(rounded(busCompressorGRAverageDB), forKey: .busCompressorGRAverageDB)
            try c.encode(rounded(busCompressorGRMaxDB), forKey: .busCompressorGRMaxDB)
            try c.encode(rounded(limiterGRAverageDB), forKey: .limiterGRAverageDB)
            try c.encode(rounded(limiterGRMaxDB), forKey: .limiterGRMaxDB)
            try c.encode(width, forKey: .width)
            try c.encode(rounded(correlation, places: 3), forKey: .correlation)
            try c.encode(leadRoomGRAverageDB.map(rounded), forKey: .leadRoomGRAverageDB)
            try c.encode(leadRoomGRMaxDB.map(rounded), forKey: .leadRoomGRMaxDB)
        }
    }

    /// A file left out of the mix and why.
    public struct Rejected: Sendable, Encodable {
        public var file: String
        public var reason: String
    }

    /// Whole-song spectra (power mean of the meter frames), 256 bands each.
    public struct Spectra: Sendable, Encodable {
        public var bandCentersHz: [Double]
        public var tracks: [String: [Float]]
        public var preMaster: [Float]
        public var postMaster: [Float]

        enum CodingKeys: String, CodingKey {
            case tracks
            case bandCentersHz = "band_centers_hz", preMaster = "pre_master", postMaster = "post_master"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(bandCentersHz.map { ($0 * 10).rounded() / 10 }, forKey: .bandCentersHz)
            try c.encode(tracks.mapValues { $0.map(roundedTenth) }, forKey: .tracks)
            try c.encode(preMaster.map(roundedTenth), forKey: .preMaster)
            try c.encode(postMaster.map(roundedTenth), forKey: .postMaster)
        }
    }

    public var output: String
    public var framesFile: String
    public var durationSeconds: Double
    public var sampleRate: Int
    public var recipe: String
    public var format: OutputFormat
    public var basic: Bool
    public var framesPerSecond: Int
    public var targetLUFS: Double?
    public var ceilingDBTP: Double
    public var integratedLUFS: Double?
    public var loudnessRangeLU: Double?
    /// The written file's true peak, by the 8× oversampled scan (the check's authority).
    public var truePeakDBTP: Double?
    /// The same reading under the name of its method (kept for the summary's readers).
    public var truePeakScan8xDBTP: Double?
    public var targetReached: Bool
    /// Why the target was not reached, when it was not.
    public var targetNote: String?
    public var ceilingHeld: Bool
    public var master: Master
    public var tracks: [Track]
    /// How the groups were balanced.
    public var balance: Balance
    /// How much of each automatic stage the tracks and the master applied.
    public var intensity: MixIntensity
    /// The reference matched, and the EQ that matched it (nil: none).
    public var reference: Reference?
    public var muted: [String]
    public var rejected: [Rejected]
    public var spectra: Spectra
    /// The mix held against what professional mixes measure (`QualityReport`).
    public var quality: QualityReport
    /// Peak per stretch of the final mix (1000 points), 0…1.
    public var waveform: [Float]
    public var renderSeconds: Double

    enum CodingKeys: String, CodingKey {
        case output, recipe, format, basic, master, tracks, balance, intensity, reference, muted, rejected, spectra, quality, waveform
        case framesFile = "frames_file", durationSeconds = "duration_s", sampleRate = "sample_rate"
        case framesPerSecond = "frames_per_second", targetLUFS = "target_lufs", ceilingDBTP = "ceiling_dbtp"
        case integratedLUFS = "integrated_lufs", loudnessRangeLU = "loudness_range_lu", truePeakDBTP = "true_peak_dbtp"
        case truePeakScan8xDBTP = "true_peak_scan_8x_dbtp"
        case targetReached = "target_reached", targetNote = "target_note", ceilingHeld = "ceiling_held"
        case renderSeconds = "render_s", realtimeFactor = "realtime_factor"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(output, forKey: .output)
        try c.encode(framesFile, forKey: .framesFile)
        try c.encode(rounded(durationSeconds, places: 3), forKey: .durationSeconds)
        try c.encode(sampleRate, forKey: .sampleRate)
        try c.encode(recipe, forKey: .recipe)
        try c.encode(format, forKey: .format)
        try c.encode(basic, forKey: .basic)
        try c.encode(framesPerSecond, forKey: .framesPerSecond)
        try c.encode(targetLUFS, forKey: .targetLUFS)
        try c.encode(ceilingDBTP, forKey: .ceilingDBTP)
        try c.encode(integratedLUFS.map(rounded), forKey: .integratedLUFS)
        try c.encode(loudnessRangeLU.map(rounded), forKey: .loudnessRangeLU)
        try c.encode(truePeakDBTP.map(rounded), forKey: .truePeakDBTP)
        try c.encode(truePeakScan8xDBTP.map(rounded), forKey: .truePeakScan8xDBTP)
        try c.encode(targetReached, forKey: .targetReached)
        try c.encode(targetNote, forKey: .targetNote)
        try c.encode(ceilingHeld, forKey: .ceilingHeld)
        try c.encode(master, forKey: .master)
        try c.encode(tracks, forKey: .tracks)
        try c.encode(balance, forKey: .balance)
        try c.encode(["tracks": intensity.tracks, "master": intensity.master], forKey: .intensity)
        try c.encode(reference, forKey: .reference)
        try c.encode(muted, forKey: .muted)
        try c.encode(rejected, forKey: .rejected)
        try c.encode(spectra, forKey: .spectra)
        try c.encode(quality, forKey: .quality)
        try c.encode(waveform.map { ($0 * 10000).rounded() / 10000 }, forKey: .waveform)
        try c.encode(rounded(renderSeconds, places: 3), forKey: .renderSeconds)
        try c.encode(renderSeconds > 0 ? rounded(durationSeconds / renderSeconds, places: 1) : nil, forKey: .realtimeFactor)
    }
}

/// An EQ band as the summary shows it.
struct SummaryBand: Encodable {
    var kind: Equalizer.Band.Kind
    var frequencyHz: Double
    var q: Double
    var gainDB: Double

    init(_ band: Equalizer.Band) {
        (kind, frequencyHz, q, gainDB) = (band.kind, band.frequencyHz, band.q, band.gainDB)
    }

    enum CodingKeys: String, CodingKey {
        case kind, q
        case frequencyHz = "frequency_hz", gainDB = "gain_db"
    }
}

/// Rounds for display: readings carry no more digits than they mean.
func rounded(_ value: Double) -> Double { rounded(value, places: 2) }

func rounded(_ value: Double, places: Int) -> Double {
    let scale = pow(10, Double(places))
    return (value * scale).rounded() / scale
}

func roundedTenth(_ value: Float) -> Float { (value * 10).rounded() / 10 }
