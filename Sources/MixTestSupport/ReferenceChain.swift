import MixDSP

/// A track's chain as the separate processors run it, one track at a time (loudness match → EQ →
/// compressor → saturation → fader → de-esser → air → widen): what a `LaneChainBank` lane must
/// give bit for bit.
public struct ReferenceChain {
    public let processors: [any AudioProcessor]
    public let compressor: Compressor?
    public let deEsser: DeEsser?

    public init(_ track: LaneChainBank.Track, sampleRate: Double, maxFrameCount: Int) throws {
        compressor = try track.compressor.map { try Compressor($0) }
        deEsser = try track.deEsser.map { try DeEsser($0) }
        var all: [any AudioProcessor] = []
        if let match = track.matchGainDB { all.append(try Gain(.init(gainDB: match))) }
        if !track.equalizer.isEmpty { all.append(try Equalizer(.init(bands: track.equalizer))) }
        if let compressor { all.append(compressor) }
        if let saturator = track.saturator { all.append(try Saturator(saturator)) }
        all.append(try Gain(.init(gainDB: track.faderDB)))
        if let deEsser { all.append(deEsser) }
        if let air = track.air { all.append(try Air(air)) }
        if track.width != 1 { all.append(try StereoWidener(.init(width: track.width))) }
        processors = all
        for processor in all { processor.prepare(ProcessSpec(sampleRate: sampleRate, maxFrameCount: maxFrameCount)) }
    }

    /// Processes a block in place.
    public func process(_ block: AudioBlock) {
        for processor in processors { processor.process(block) }
    }
}
