import MixDSP

/// The spooled bus from a given frame on, through the master chain's tail up to the true-peak
/// limiter (`MasterChain`: reference match → gain → limiter), a block at a time: where the
/// measuring and the writing passes start. The limiter looks ahead: its latency is run through and dropped first, so each
/// block pulled stands for the bus frames it is read from (leading silence is the artist's
/// timing). Reads with `pread`, so parts of the bus can be pulled on several threads at once
/// (after the spool's `rewind`), each with a chain of its own.
final class LimitedBus {
    /// The last block pulled (`pull`).
    let left: UnsafeMutablePointer<Float>
    let right: UnsafeMutablePointer<Float>
    /// The chain the bus is pulled through; its dither is the caller's to run.
    let master: MasterChain
    private let interleaved: UnsafeMutablePointer<Float>
    private let bus: Spool
    private let totalFrameCount: Int64
    private let capacity: Int
    private var readPosition: Int64

    /// - Parameter capacity: the most frames a `pull` takes (at most what `master` was prepared for).
    init(bus: Spool, from start: Int64, totalFrameCount: Int64, master: MasterChain, capacity: Int) {
        self.bus = bus
        self.totalFrameCount = totalFrameCount
        self.master = master
        self.capacity = capacity
        readPosition = start
        left = .allocate(capacity: capacity)
        right = .allocate(capacity: capacity)
        interleaved = .allocate(capacity: 2 * capacity)
        var latency = master.latencyFrames
        while latency > 0 {
            let n = min(latency, capacity)
            pull(n)
            latency -= n
        }
    }

    deinit {
        left.deallocate()
        right.deallocate()
        interleaved.deallocate()
    }

    /// The limiter's gain reduction over the last block (none without a limiter).
    var limiterGainReduction: GainReductionReadout? { master.limiter?.lastGainReduction }

    /// The next `n` frames (silence past the bus's end) through gain and limiter into
    /// `left`/`right`.
    func pull(_ n: Int) {
        precondition(n <= capacity)
        let frameBytes = 2 * MemoryLayout<Float>.size
        let available = Int(max(0, min(Int64(n), totalFrameCount - readPosition)))
        let read = bus.read(into: interleaved, count: available * frameBytes, at: readPosition * Int64(frameBytes)) / frameBytes
        for i in 0..<read {
            left[i] = interleaved[2 * i]
            right[i] = interleaved[2 * i + 1]
        }
        for i in read..<n {
            left[i] = 0
            right[i] = 0
        }
        readPosition += Int64(n)
        master.process(AudioBlock(left: left, right: right, frameCount: n), from: .match, through: .limiter)
    }
}
