import Foundation
import MixAnalysis

/// The original service's JSON shapes for a meter frame, kept for clients written against it:
/// `realtime_meters`, `realtime_spectra`, `realtime_scope` (levels in dB; silence reads −120).
/// Fields the original did not have are added beside its own, never in their place.
public struct RealtimeBlocks: Sendable, Encodable {
    public struct TrackMeters: Sendable, Encodable {
        var gainReductionDB: Double
        var deEsserGainReductionDB: Double
        var rms: Double
        var peak: Double

        enum CodingKeys: String, CodingKey {
            case rms, peak
            case gainReductionDB = "gain_reduction_db", deEsserGainReductionDB = "de_esser_gr_db"
        }
    }

    public struct MasterMeters: Sendable, Encodable {
        var gainReductionDB: Double
        var limiterGainReductionDB: Double
        var rms: Double
        var peak: Double
        var truePeak: Double
        var momentaryLUFS: Double?
        var shortTermLUFS: Double?
        /// The cut the beat took for the lead.
        var leadRoomGainReductionDB: Double

        enum CodingKeys: String, CodingKey {
            case rms, peak
            case gainReductionDB = "gain_reduction_db", limiterGainReductionDB = "limiter_gr_db", truePeak = "true_peak"
            case momentaryLUFS = "momentary_lufs", shortTermLUFS = "short_term_lufs", leadRoomGainReductionDB = "lead_room_gr_db"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(gainReductionDB, forKey: .gainReductionDB)
            try c.encode(limiterGainReductionDB, forKey: .limiterGainReductionDB)
            try c.encode(rms, forKey: .rms)
            try c.encode(peak, forKey: .peak)
            try c.encode(truePeak, forKey: .truePeak)
            try c.encode(momentaryLUFS, forKey: .momentaryLUFS)
            try c.encode(shortTermLUFS, forKey: .shortTermLUFS)
            try c.encode(leadRoomGainReductionDB, forKey: .leadRoomGainReductionDB)
        }
    }

    public struct Meters: Sendable, Encodable {
        var tracks: [String: TrackMeters]
        var master: MasterMeters
    }

    public struct Spectra: Sendable, Encodable {
        var tracks: [String: [Float]]
        var preMaster: [Float]
        var postMaster: [Float]

        enum CodingKeys: String, CodingKey {
            case tracks
            case preMaster = "pre_master", postMaster = "post_master"
        }
    }

    public struct ScopeBlock: Sendable, Encodable {
        var waveform: [Float]
        var correlation: Float
        /// 512 (mid, side) pairs.
        var phase: [[Float]]

        enum CodingKeys: String, CodingKey {
            case waveform, phase
            case correlation = "l_r_correlation"
        }
    }

    /// The final scope in the original's shape, with the pre- and post-master scopes beside it.
    public struct Scope: Sendable, Encodable {
        var final: ScopeBlock
        var preMaster: ScopeBlock
        var postMaster: ScopeBlock

        enum CodingKeys: String, CodingKey {
            case waveform, phase
            case correlation = "l_r_correlation", preMaster = "pre_master", postMaster = "post_master"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(final.waveform, forKey: .waveform)
            try c.encode(final.correlation, forKey: .correlation)
            try c.encode(final.phase, forKey: .phase)
            try c.encode(preMaster, forKey: .preMaster)
            try c.encode(postMaster, forKey: .postMaster)
        }
    }

    /// The loudness so far, beside the original's blocks (EBU Tech 3341/3342 readings).
    public struct Loudness: Sendable, Encodable {
        var momentaryLUFS: Double?
        var shortTermLUFS: Double?
        var integratedLUFS: Double?
        var loudnessRangeLU: Double?
        var truePeakDBTP: Double?
        var truePeakMaxDBTP: Double?

        enum CodingKeys: String, CodingKey {
            case momentaryLUFS = "momentary_lufs", shortTermLUFS = "short_term_lufs", integratedLUFS = "integrated_lufs"
            case loudnessRangeLU = "loudness_range_lu", truePeakDBTP = "true_peak_dbtp", truePeakMaxDBTP = "true_peak_max_dbtp"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(momentaryLUFS, forKey: .momentaryLUFS)
            try c.encode(shortTermLUFS, forKey: .shortTermLUFS)
            try c.encode(integratedLUFS, forKey: .integratedLUFS)
            try c.encode(loudnessRangeLU, forKey: .loudnessRangeLU)
            try c.encode(truePeakDBTP, forKey: .truePeakDBTP)
            try c.encode(truePeakMaxDBTP, forKey: .truePeakMaxDBTP)
        }
    }

    public var frame: Int
    public var timeSeconds: Double
    /// Each block is present unless left out (`only(_:)`): a stream sends only what was asked.
    public var realtimeMeters: Meters?
    public var realtimeSpectra: Spectra?
    public var realtimeScope: Scope?
    public var realtimeLoudness: Loudness?

    enum CodingKeys: String, CodingKey {
        case frame
        case timeSeconds = "time_s", realtimeMeters = "realtime_meters", realtimeSpectra = "realtime_spectra"
        case realtimeScope = "realtime_scope", realtimeLoudness = "realtime_loudness"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(frame, forKey: .frame)
        try c.encode(timeSeconds, forKey: .timeSeconds)
        try c.encodeIfPresent(realtimeMeters, forKey: .realtimeMeters)
        try c.encodeIfPresent(realtimeSpectra, forKey: .realtimeSpectra)
        try c.encodeIfPresent(realtimeScope, forKey: .realtimeScope)
        try c.encodeIfPresent(realtimeLoudness, forKey: .realtimeLoudness)
    }

    /// The blocks a stream's channels ask for, the others left out.
    public func only(meters: Bool, spectra: Bool, scope: Bool, loudness: Bool) -> RealtimeBlocks {
        var blocks = self
        if !meters { blocks.realtimeMeters = nil }
        if !spectra { blocks.realtimeSpectra = nil }
        if !scope { blocks.realtimeScope = nil }
        if !loudness { blocks.realtimeLoudness = nil }
        return blocks
    }
}

extension MeterFrame {
    /// The frame in the original's JSON shapes.
    public var realtimeBlocks: RealtimeBlocks {
        func level(_ value: Double?) -> Double { value ?? -120 }
        func scope(_ snapshot: ScopeSnapshot) -> RealtimeBlocks.ScopeBlock {
            RealtimeBlocks.ScopeBlock(
                waveform: snapshot.waveform.map(Self.fourDigits), correlation: Self.fourDigits(snapshot.correlation),
                phase: stride(from: 0, to: snapshot.goniometer.count, by: 2).map {
                    [Self.fourDigits(snapshot.goniometer[$0]), Self.fourDigits(snapshot.goniometer[$0 + 1])]
                })
        }
        var trackMeters: [String: RealtimeBlocks.TrackMeters] = [:]
        var trackSpectra: [String: [Float]] = [:]
        for track in tracks {
            trackMeters[track.key] = .init(
                gainReductionDB: track.compressorGainReductionDB, deEsserGainReductionDB: track.deEsserGainReductionDB,
                rms: level(track.rmsDB), peak: level(track.peakDB))
            trackSpectra[track.key] = track.spectrumDB
        }
        return RealtimeBlocks(
            frame: index, timeSeconds: timeSeconds,
            realtimeMeters: .init(
                tracks: trackMeters,
                master: .init(
                    gainReductionDB: master.busCompressorGainReductionDB, limiterGainReductionDB: master.limiterGainReductionDB,
                    rms: level(master.rmsDB), peak: level(master.samplePeakDB), truePeak: level(master.truePeakDB),
                    momentaryLUFS: master.momentaryLUFS, shortTermLUFS: master.shortTermLUFS,
                    leadRoomGainReductionDB: master.leadRoomGainReductionDB)),
            realtimeSpectra: .init(tracks: trackSpectra, preMaster: preMasterSpectrumDB, postMaster: postMasterSpectrumDB),
            realtimeScope: .init(final: scope(finalScope), preMaster: scope(preMasterScope), postMaster: scope(postMasterScope)),
            realtimeLoudness: .init(
                momentaryLUFS: master.momentaryLUFS, shortTermLUFS: master.shortTermLUFS, integratedLUFS: master.integratedLUFS,
                loudnessRangeLU: master.loudnessRangeLU, truePeakDBTP: master.truePeakDB, truePeakMaxDBTP: master.truePeakMaxDB))
    }

    private static func fourDigits(_ value: Float) -> Float { (value * 10000).rounded() / 10000 }
}
