/// TPDF dither to 16 or 24 bits: adds the difference of two uniform random values (±1 LSB,
/// triangular) and rounds to the output's grid, so the file writer stores the values exactly.
/// The noise is seeded: the same input gives the same output bits (`reset` restarts it).
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
    private var state: UInt64 = 0
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
        state = settings.seed
    }

    /// A uniform value in [0, 1) (xorshift64*).
    @inline(__always)
    private static func uniform(_ state: inout UInt64) -> Float {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return Float((state &* 0x2545_F491_4F6C_DD1D) >> 40) * (1 / 16_777_216)
    }

    /// Round to nearest in double precision: 24-bit codes reach 2²³, past the float trick's 2²².
    @inline(__always)
    private static func rounded(_ x: Double) -> Double {
        let magic = 6_755_399_441_055_744.0  // 1.5 · 2⁵²
        return (x + magic) - magic
    }

    public func process(_ block: AudioBlock) {
        var state = self.state
        let lsb = self.lsb, scale = 1 / lsb
        // The largest code is one step under full scale: (2^(bits−1) − 1) · LSB.
        let top = 1 - lsb
        // Frame by frame, left then right: the noise sequence does not depend on block sizes.
        for i in 0..<block.frameCount {
            for channel in 0..<block.channelCount {
                let samples = channel == 0 ? block.left : block.right
                let noise = (Self.uniform(&state) - Self.uniform(&state)) * lsb
                // In double: near full scale a float's step is half a 24-bit LSB, too coarse to add
                // the noise in.
                let dithered = Float(Self.rounded((Double(samples[i]) + Double(noise)) * Double(scale))) * lsb
                samples[i] = min(top, max(-1, dithered))
            }
        }
        self.state = state
    }
}
