import MixDSP

/// One track's processors in the chain's order (SPEC §3): loudness match → EQ → compressor →
/// saturation → fader → de-esser → air → widen, each present where the role's preset has it.
/// In `basic` mode only the fader: the original's plain sum with gains.
final class TrackChain {
    let matchGain: Gain?
    let equalizer: Equalizer?
    let compressor: Compressor?
    let saturator: Saturator?
    let fader: Gain
    let deEsser: DeEsser?
    let air: Air?
    let widener: StereoWidener?

    /// - Parameters:
    ///   - matchGainDB: brings the stem's measured loudness to the preset's target.
    ///   - userGainDB: the user's own change (API, page), added to the role's fader.
    init(preset: RolePreset, matchGainDB: Double, userGainDB: Double, basic: Bool) throws {
        let faderDB = max(-60, min(24, preset.gainDB + userGainDB))
        fader = try Gain(Gain.Settings(gainDB: faderDB))
        guard !basic else {
            (matchGain, equalizer, compressor, saturator, deEsser, air, widener) = (nil, nil, nil, nil, nil, nil, nil)
            return
        }
        matchGain = try Gain(Gain.Settings(gainDB: matchGainDB))
        equalizer = preset.eq.isEmpty ? nil : try Equalizer(Equalizer.Settings(bands: preset.eq))
        compressor = try preset.compressor.map { try Compressor($0) }
        saturator = try preset.saturation.map { try Saturator($0) }
        deEsser = try preset.deEsser.map { try DeEsser($0) }
        air = try preset.air.map { try Air($0) }
        widener = preset.width == 1 ? nil : try StereoWidener(StereoWidener.Settings(width: preset.width))
    }

    private var processors: [any AudioProcessor] {
        let all: [(any AudioProcessor)?] = [matchGain, equalizer, compressor, saturator, fader, deEsser, air, widener]
        return all.compactMap { $0 }
    }

    func prepare(_ spec: ProcessSpec) {
        for processor in processors { processor.prepare(spec) }
    }

    /// Processes `block` in place through every stage, in order.
    func process(_ block: AudioBlock) {
        matchGain?.process(block)
        equalizer?.process(block)
        compressor?.process(block)
        saturator?.process(block)
        fader.process(block)
        deEsser?.process(block)
        air?.process(block)
        widener?.process(block)
    }
}
