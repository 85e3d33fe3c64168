import MixDSP

/// The master: one chain of processors in the recipe's order, EQ → bus compressor → width →
/// (reference match EQ) → gain → true-peak limiter → dither, built from the recipe and prepared
/// at once (JUCE's `ProcessorChain` is the model). The basic mix has only the gain and the dither.
///
/// The render runs the chain in parts (`process(_:from:through:)`), split where the level is
/// set, because the gain is found by measuring: pass 1 runs the head (EQ → width, which does not
/// depend on the gain) and spools its output; each master pass runs gain → limiter on the
/// spool at the gain the search chose, taps the master's meters, then dithers. Each part that
/// runs at once (the measuring pass's parts, on several threads) builds a chain of its own:
/// a chain's processors keep state and are used by one thread at a time.
final class MasterChain {
    /// The stages, in order.
    enum Stage: Int, Comparable {
        case equalizer, busCompressor, width, match, gain, limiter, dither

        static func < (lhs: Stage, rhs: Stage) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// The recipe's EQ (nil: no bands, or the basic mix).
    let equalizer: Equalizer?
    /// The recipe's bus compressor (nil: none, or the basic mix).
    let busCompressor: Compressor?
    /// The recipe's width (nil: 1, or the basic mix).
    let widener: StereoWidener?
    /// The EQ that matches a reference's tonal balance (nil: no reference). It is decided from
    /// the head's output, so it runs in the master passes, before the gain.
    let match: Equalizer?
    /// The master gain, linear: a plain multiply (the search's gains reach past a fader's range,
    /// and a pass never changes it).
    let gain: Float
    /// The recipe's true-peak limiter (nil: the basic mix, whose gain keeps it under the ceiling).
    let limiter: TruePeakLimiter?
    let dither: Dither

    init(
        recipe: MixRecipe, basic: Bool, gainDB: Double, bitDepth: Int, spec: ProcessSpec, matchBands: [Equalizer.Band] = []
    ) throws {
        match = matchBands.isEmpty ? nil : try Equalizer(Equalizer.Settings(bands: matchBands))
        if basic {
            (equalizer, busCompressor, widener, limiter) = (nil, nil, nil, nil)
        } else {
            equalizer = recipe.eq.isEmpty ? nil : try Equalizer(Equalizer.Settings(bands: recipe.eq))
            busCompressor = try recipe.busCompressor.map { try Compressor($0) }
            widener = recipe.width == 1 ? nil : try StereoWidener(StereoWidener.Settings(width: recipe.width))
            limiter = try TruePeakLimiter(recipe.limiterSettings)
        }
        gain = Float(Decibels.toAmplitude(gainDB))
        dither = try Dither(Dither.Settings(bitDepth: bitDepth))
        equalizer?.prepare(spec)
        busCompressor?.prepare(spec)
        widener?.prepare(spec)
        match?.prepare(spec)
        limiter?.prepare(spec)
        dither.prepare(spec)
    }

    /// Frames the chain delays its input by (the limiter's look-ahead).
    var latencyFrames: Int { limiter?.latencyFrames ?? 0 }

    /// Runs `block` in place through the stages `first...last`, in order.
    func process(_ block: AudioBlock, from first: Stage, through last: Stage) {
        let runs = { (stage: Stage) in first <= stage && stage <= last }
        if runs(.equalizer) { equalizer?.process(block) }
        if runs(.busCompressor) { busCompressor?.process(block) }
        if runs(.width) { widener?.process(block) }
        if runs(.match) { match?.process(block) }
        if runs(.gain) {
            let gain = gain
            for i in 0..<block.frameCount { block.left[i] *= gain }
            if block.channelCount == 2 { for i in 0..<block.frameCount { block.right[i] *= gain } }
        }
        if runs(.limiter) { limiter?.process(block) }
        if runs(.dither) { dither.process(block) }
    }
}
