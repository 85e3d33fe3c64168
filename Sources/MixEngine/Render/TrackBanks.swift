import MixDSP

/// Every track's chain, run in the lanes of as few `LaneChainBank`s as hold their channels
/// (eight lanes each; a mono stem takes one, any other two), a meter period at a time: the
/// tracks' conformed audio goes into the lanes, through the bank, and back to the tracks'
/// buffers (a mono stem's one lane to both sides), with each track's gain reductions.
final class TrackBanks {
    private struct Bank {
        let bank: LaneChainBank
        /// The renderers of the bank's tracks, in the bank's track order.
        let tracks: [Int]
    }

    private let banks: [Bank]
    private let frames: UnsafeMutablePointer<SIMD8<Float>>
    private let capacity: Int
    /// What unused lanes read, and where lanes nobody reads are written.
    private let silence: UnsafeMutablePointer<Float>
    private let sink: UnsafeMutablePointer<Float>
    /// Each lane's source and targets for the block at hand (set per block, allocated once).
    private let sources: UnsafeMutablePointer<UnsafePointer<Float>>
    private let leftTargets: UnsafeMutablePointer<UnsafeMutablePointer<Float>>
    private let rightTargets: UnsafeMutablePointer<UnsafeMutablePointer<Float>>

    init(tracks: [TrackRenderer], sampleRate: Int, maxFrameCount: Int) throws {
        var banks: [Bank] = []
        var group: [Int] = []
        func close() throws {
            guard !group.isEmpty else { return }
            guard let bank = try LaneChainBank(
                tracks: group.map { tracks[$0].chain.spec }, sampleRate: Double(sampleRate), maxFrameCount: maxFrameCount)
            else { preconditionFailure("a group of tracks chosen to fit eight lanes did not fit") }
            banks.append(Bank(bank: bank, tracks: group))
            group = []
        }
        var lanes = 0
        for (index, track) in tracks.enumerated() {
            let needed = track.chain.spec.channelCount
            if lanes + needed > LaneLayout.laneCount { try close(); lanes = 0 }
            group.append(index)
            lanes += needed
        }
        try close()
        self.banks = banks
        capacity = maxFrameCount
        frames = .allocate(capacity: maxFrameCount)
        frames.initialize(repeating: .zero, count: maxFrameCount)
        silence = .allocate(capacity: maxFrameCount)
        silence.initialize(repeating: 0, count: maxFrameCount)
        sink = .allocate(capacity: maxFrameCount)
        sink.initialize(repeating: 0, count: maxFrameCount)
        sources = .allocate(capacity: LaneLayout.laneCount)
        sources.initialize(repeating: UnsafePointer(silence), count: LaneLayout.laneCount)
        leftTargets = .allocate(capacity: LaneLayout.laneCount)
        leftTargets.initialize(repeating: sink, count: LaneLayout.laneCount)
        rightTargets = .allocate(capacity: LaneLayout.laneCount)
        rightTargets.initialize(repeating: sink, count: LaneLayout.laneCount)
    }

    deinit {
        frames.deallocate()
        silence.deallocate()
        sink.deallocate()
        sources.deallocate()
        leftTargets.deallocate()
        rightTargets.deallocate()
    }

    /// Banks in use (for tests and timing).
    var bankCount: Int { banks.count }

    /// Runs `frameCount` frames at `offset` of every track's input set `slot` through the chains
    /// into its output set `slot`, and returns each track's (compressor, de-esser) gain reduction.
    func process(
        _ tracks: [TrackRenderer], slot: Int, from offset: Int, frameCount: Int,
        readouts: inout [(compressor: GainReductionReadout?, deEsser: GainReductionReadout?)]
    ) {
        precondition(frameCount <= capacity)
        for entry in banks {
            let layout = entry.bank.layout
            // Where each lane comes from and goes to (unused lanes read silence and write
            // nowhere that is read); a mono track's lane goes to both its sides.
            for lane in 0..<LaneLayout.laneCount {
                sources[lane] = UnsafePointer(silence)
                leftTargets[lane] = sink
                rightTargets[lane] = sink
            }
            for (position, index) in entry.tracks.enumerated() {
                let (inLeft, inRight) = tracks[index].input(slot)
                let (left, right) = tracks[index].output(slot)
                let lane = layout.trackLanes[position]
                sources[lane.first] = UnsafePointer(inLeft + offset)
                leftTargets[lane.first] = left + offset
                if let second = lane.second {
                    sources[second] = UnsafePointer(inRight + offset)
                    rightTargets[second] = right + offset
                } else {
                    rightTargets[lane.first] = right + offset
                }
            }
            Self.gather(sources, into: frames, count: frameCount)
            entry.bank.process(frames, frameCount: frameCount)
            Self.scatter(frames, into: leftTargets, count: frameCount)
            Self.scatter(frames, into: rightTargets, count: frameCount)
            for (position, index) in entry.tracks.enumerated() {
                readouts[index] = (entry.bank.compressorGainReduction(track: position), entry.bank.deEsserGainReduction(track: position))
            }
        }
    }

    /// Frame `i` of lane `k` from `sources[k][i]`: each frame built in a register and stored once.
    private static func gather(
        _ sources: UnsafeMutablePointer<UnsafePointer<Float>>, into frames: UnsafeMutablePointer<SIMD8<Float>>, count: Int
    ) {
        let (s0, s1, s2, s3, s4, s5, s6, s7) = (sources[0], sources[1], sources[2], sources[3], sources[4], sources[5], sources[6], sources[7])
        for i in 0..<count {
            frames[i] = SIMD8(s0[i], s1[i], s2[i], s3[i], s4[i], s5[i], s6[i], s7[i])
        }
    }

    /// Lane `k` of frame `i` to `targets[k][i]` (a target of `sink` throws the lane away).
    private static func scatter(
        _ frames: UnsafePointer<SIMD8<Float>>, into targets: UnsafeMutablePointer<UnsafeMutablePointer<Float>>, count: Int
    ) {
        let (t0, t1, t2, t3, t4, t5, t6, t7) = (targets[0], targets[1], targets[2], targets[3], targets[4], targets[5], targets[6], targets[7])
        for i in 0..<count {
            let v = frames[i]
            t0[i] = v[0]; t1[i] = v[1]; t2[i] = v[2]; t3[i] = v[3]
            t4[i] = v[4]; t5[i] = v[5]; t6[i] = v[6]; t7[i] = v[7]
        }
    }
}
