import MixDSP

/// The spooled bus from a given frame on, through the master's gain and true-peak limiter, a
/// block at a time: where the measuring and the writing passes start. The limiter looks ahead:
/// its latency is run through and dropped first, so each block pulled stands for the bus frames
/// it is read from (leading silence is the artist's timing). Reads with `pread`, so parts of
/// the bus can be pulled on several threads at once (after the spool's `rewind`).
final class LimitedBus {
    /// The last block pulled (`pull`).
    let left: UnsafeMutablePointer<Float>
    let right: UnsafeMutablePointer<Float>
    private let interleaved: UnsafeMutablePointer<Float>
    private let limiter: TruePeakLimiter?
    private let gain: Float
    private let bus: Spool
    private let totalFrameCount: Int64
    private let capacity: Int
    private var readPosition: Int64

    /// - Parameters:
    ///   - limiter: nil for the basic mix, which has none.
    ///   - capacity: the most frames a `pull` takes.
    init(
        bus: Spool, from start: Int64, totalFrameCount: Int64, gainDB: Double, limiter settings: TruePeakLimiter.Settings?,
        sampleRate: Int, capacity: Int
    ) throws {
        self.bus = bus
        self.totalFrameCount = totalFrameCount
        self.capacity = capacity
        readPosition = start
        gain = Float(Decibels.toAmplitude(gainDB))
        limiter = try settings.map { try TruePeakLimiter($0) }
        limiter?.prepare(ProcessSpec(sampleRate: Double(sampleRate), maxFrameCount: capacity))
        left = .allocate(capacity: capacity)
        right = .allocate(capacity: capacity)
        interleaved = .allocate(capacity: 2 * capacity)
        var latency = limiter?.latencyFrames ?? 0
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
    var limiterGainReduction: GainReductionReadout? { limiter?.lastGainReduction }

    /// The next `n` frames (silence past the bus's end) through gain and limiter into
    /// `left`/`right`.
    func pull(_ n: Int) {
        precondition(n <= capacity)
        let frameBytes = 2 * MemoryLayout<Float>.size
        let available = Int(max(0, min(Int64(n), totalFrameCount - readPosition)))
        let read = bus.read(into: interleaved, count: available * frameBytes, at: readPosition * Int64(frameBytes)) / frameBytes
        for i in 0..<read {
            left[i] = interleaved[2 * i] * gain
            right[i] = interleaved[2 * i + 1] * gain
        }
        for i in read..<n {
            left[i] = 0
            right[i] = 0
        }
        readPosition += Int64(n)
        limiter?.process(AudioBlock(left: left, right: right, frameCount: n))
    }
}
