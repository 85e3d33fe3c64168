import MixDSP

/// One track's chain (SPEC §3) as its role preset sets it: loudness match → EQ → compressor →
/// saturation → fader → de-esser → air → widen, each stage present where the preset has it. In
/// `basic` mode only the fader: the original's plain sum with gains. It runs, with the other
/// tracks', in the lanes of a `LaneChainBank` (`TrackBanks`).
struct TrackChain {
    let spec: LaneChainBank.Track

    /// - Parameters:
    ///   - matchGainDB: brings the stem's measured loudness to the preset's target.
    ///   - userGainDB: the user's own change (API, page), added to the role's fader.
    ///   - channelCount: 1 for a mono stem (one lane), 2 otherwise.
    init(preset: RolePreset, matchGainDB: Double, userGainDB: Double, basic: Bool, channelCount: Int) {
        let faderDB = max(-60, min(24, preset.gainDB + userGainDB))
        if basic {
            spec = LaneChainBank.Track(
                channelCount: channelCount, matchGainDB: nil, equalizer: [], compressor: nil, saturator: nil, faderDB: faderDB,
                deEsser: nil, air: nil, width: 1)
        } else {
            spec = LaneChainBank.Track(
                channelCount: channelCount, matchGainDB: matchGainDB, equalizer: preset.eq, compressor: preset.compressor,
                saturator: preset.saturation, faderDB: faderDB, deEsser: preset.deEsser, air: preset.air, width: preset.width)
        }
    }

    var faderDB: Double { spec.faderDB }
    var hasCompressor: Bool { spec.compressor != nil }
    var hasDeEsser: Bool { spec.deEsser != nil }
}
