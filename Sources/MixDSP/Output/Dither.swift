/// TPDF dither to 16 or 24 bits: adds the difference of two uniform random values (±1 LSB,
/// triangular) and rounds to the output's grid, so the file writer stores the values exactly.
/// The noise is seeded: the same input gives the same output bits (`reset` restarts it). Four
/// independent xorshift32 streams run side by side in one vector, one step per frame whatever
/// the block size (each repeats after 2³² − 1 frames: a day of audio).
public final class Dither: AudioProcessor {
    /// The dither's settings.
    public struct Settings: Sendable, Equatable, Codable {
        public var bitDepth: Int
        public var seed: UInt64

        public init(bitDepth: Int = 24, seed: UInt64 = 0x6D69_7864_6F77_6E21) {
            self.bitDepth = bitDepth
            self.seed = seed
        }

        public func validate() throws {
            guard bitDepth == 16 || bitDepth == 24 else {
                throw SettingsError(field: "bitDepth", rule: "must be 16 or 24 (got \(bitDepth))")
            }
        }
    }

    public private(set) var settings: Settings
    private var state = SIMD4<UInt32>(repeating: 1)
    private var lsb: Float = 1

    public init(_ settings: Settings = Settings()) throws {
        try settings.validate()
        self.settings = settings
        lsb = 1 / Float(1 << (settings.bitDepth - 1))
    }

    public func prepare(_ spec: ProcessSpec) {
        reset()
    }

    public func reset() {
        // Four lane seeds from the one seed (splitmix64), never zero.
        var mixer = settings.seed
        var lanes = SIMD4<UInt32>()
        for lane in 0..<4 {
            mixer &+= 0x9E37_79B9_7F4A_7C15
            var z = mixer
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            lanes[lane] = UInt32(truncatingIfNeeded: z ^ (z >> 31)) | 1
        }
        state = lanes
    }

    /// Four uniform values in [0, 1), one per stream (Marsaglia's xorshift32: 13, 17, 5).
    @inline(__always)
    private static func uniform(_ state: inout SIMD4<UInt32>) -> SIMD4<Float> {
        state ^= state &<< 13
        state ^= state &>> 17
        state ^= state &<< 5
        return SIMD4<Float>(state &>> 8) * (1 / 16_777_216)
    }

    /// Round to nearest in double precision: 24-bit codes reach 2²³, past the float trick's 2²².
    @inline(__always)
    private static func rounded(_ x: SIMD2<Double>) -> SIMD2<Double> {
        let magic = SIMD2<Double>(repeating: 6_755_399_441_055_744.0)  // 1.5 · 2⁵²
        return (x + magic) - magic
    }

    public func process(_ block: AudioBlock) {
        var state = self.state
        let lsb = self.lsb, scale = Double(1 / lsb)
        // The largest code is one step under full scale: (2^(bits−1) − 1) · LSB.
        let top = 1 - lsb
        let (left, right) = (block.left, block.right)
        let stereo = block.channelCount == 2
        for i in 0..<block.frameCount {
            // One step of the four streams per frame: left's noise from lanes 0 − 1, right's
            // from 2 − 3, so the sequence does not depend on block sizes.
            let u = Self.uniform(&state)
            let noise = (SIMD2(u[0], u[2]) - SIMD2(u[1], u[3])) * lsb
            let x = SIMD2<Float>(left[i], stereo ? right[i] : 0)
            // In double: near full scale a float's step is half a 24-bit LSB, too coarse to add
            // the noise in.
            let codes = Self.rounded((SIMD2<Double>(x) + SIMD2<Double>(noise)) * scale)
            var dithered = SIMD2<Float>(codes) * lsb
            dithered.replace(with: top, where: dithered .> top)
            dithered.replace(with: -1, where: dithered .< -1)
            left[i] = dithered.x
            if stereo { right[i] = dithered.y }
        }
        self.state = state
    }
}
