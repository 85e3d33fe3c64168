/// A 64-bit digest of a stream of 32-bit samples, the same however the stream is cut into
/// blocks: the writing pass digests what it hands the encoder, the read-back digests what the
/// decoder returns, and equal digests (with equal counts) say the file holds exactly the samples
/// the meters measured.
///
/// Four lanes, sample `k` going to lane `k mod 4`, each a multiply–xor chain (FNV-1a over whole
/// samples). Each step is a bijection of the lane's state for a given sample, so a single
/// changed, missing or extra sample always changes the digest; it is a check against mistakes
/// (a clipped, truncated or misconverted file), not against an adversary.
struct SampleDigest: Equatable {
    private static let prime: UInt64 = 0x0000_0100_0000_01B3
    private var lanes = SIMD4<UInt64>(0xCBF2_9CE4_8422_2325, 0x84222325_CBF29CE4, 0x9E37_79B9_7F4A_7C15, 0xBF58_476D_1CE4_E5B9)
    /// Samples taken so far.
    private(set) var count: Int64 = 0

    /// Takes `count` samples.
    mutating func add(_ samples: UnsafePointer<Int32>, count: Int) {
        var index = 0
        // One at a time until the next sample is lane 0's, then four at a time.
        while index < count, (self.count + Int64(index)) & 3 != 0 {
            addOne(samples[index], lane: Int((self.count + Int64(index)) & 3))
            index += 1
        }
        var state = lanes
        let prime = SIMD4<UInt64>(repeating: Self.prime)
        while index + 4 <= count {
            let values = SIMD4<UInt64>(
                UInt64(UInt32(bitPattern: samples[index])), UInt64(UInt32(bitPattern: samples[index + 1])),
                UInt64(UInt32(bitPattern: samples[index + 2])), UInt64(UInt32(bitPattern: samples[index + 3])))
            state = (state ^ values) &* prime
            index += 4
        }
        lanes = state
        while index < count {
            addOne(samples[index], lane: Int((self.count + Int64(index)) & 3))
            index += 1
        }
        self.count += Int64(count)
    }

    private mutating func addOne(_ sample: Int32, lane: Int) {
        lanes[lane] = (lanes[lane] ^ UInt64(UInt32(bitPattern: sample))) &* Self.prime
    }

    static func == (lhs: SampleDigest, rhs: SampleDigest) -> Bool {
        lhs.count == rhs.count && lhs.lanes == rhs.lanes
    }
}
