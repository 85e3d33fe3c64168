/// TPDF dither to 16 or 24 bits: adds the difference of two uniform random values (±1 LSB,
/// triangular) and rounds to the output's grid, so the file writer stores the values exactly.
/// The noise is seeded: the same input gives the same output bits (`reset` restarts it). Eight
/// independent xorshift32 streams run side by side in one vector; one step gives two frames'
/// noise, and frame k always gets the noise of step ⌊k/2⌋ whatever the block size (each stream
/// repeats after 2³² − 1 steps: two days of audio).
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
    private var state = SIMD8<UInt32>(repeating: 1)
    /// The second frame's noise of the last step, when a block ended after its first frame.
    private var pendingNoise: SIMD2<Float>?
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
        // Eight lane seeds from the one seed (splitmix64), never zero.
        var mixer = settings.seed
        var lanes = SIMD8<UInt32>()
        for lane in 0..<8 {
            mixer &+= 0x9E37_79B9_7F4A_7C15
            var z = mixer
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            lanes[lane] = UInt32(truncatingIfNeeded: z ^ (z >> 31)) | 1
        }
        state = lanes
        pendingNoise = nil
    }

    /// Two frames' noise from one step of the eight streams (Marsaglia's xorshift32: 13, 17,
    /// 5), in LSBs: (left₀, right₀, left₁, right₁), each the difference of two uniform values.
    @inline(__always)
    private static func noisePair(_ state: inout SIMD8<UInt32>) -> SIMD4<Float> {
        state ^= state &<< 13
        state ^= state &>> 17
        state ^= state &<< 5
        let uniform = SIMD8<Float>(state &>> 8) * (1 / 16_777_216)
        return uniform.evenHalf - uniform.oddHalf
    }

    /// Round to nearest in double precision: 24-bit codes reach 2²³, past the float trick's 2²².
    @inline(__always)
    private static func rounded<V: SIMD>(_ x: V) -> V where V.Scalar == Double {
        let magic = V(repeating: 6_755_399_441_055_744.0)  // 1.5 · 2⁵²
        return (x + magic) - magic
    }

    /// Dithers samples: in double, since near full scale a float's step is half a 24-bit LSB,
    /// too coarse to add the noise in; clamped to the codes there are. Frame by frame and four
    /// frames at a time use this one function, so the bits do not depend on the block size.
    @inline(__always)
    private static func dithered<F: SIMD, D: SIMD>(
        _ x: F, noiseLSB: F, lsb: Float, scale: Double, top: Float, asDouble: (F) -> D, asFloat: (D) -> F
    ) -> F where F.Scalar == Float, D.Scalar == Double {
        let codes = rounded((asDouble(x) + asDouble(noiseLSB * lsb)) * D(repeating: scale))
        var out = asFloat(codes) * lsb
        out.replace(with: F(repeating: top), where: out .> F(repeating: top))
        out.replace(with: F(repeating: -1), where: out .< F(repeating: -1))
        return out
    }

    public func process(_ block: AudioBlock) {
        var state = self.state
        let lsb = self.lsb, scale = Double(1 / lsb)
        // The largest code is one step under full scale: (2^(bits−1) − 1) · LSB.
        let top = 1 - lsb
        let (left, right) = (block.left, block.right)
        let stereo = block.channelCount == 2
        let count = block.frameCount
        func frame(_ i: Int, noise: SIMD2<Float>) {
            let x = SIMD2<Float>(left[i], stereo ? right[i] : 0)
            let out = Self.dithered(
                x, noiseLSB: noise, lsb: lsb, scale: scale, top: top, asDouble: SIMD2<Double>.init, asFloat: SIMD2<Float>.init)
            left[i] = out.x
            if stereo { right[i] = out.y }
        }
        var i = 0
        if count > 0, let pending = pendingNoise {
            frame(0, noise: pending)
            pendingNoise = nil
            i = 1
        }
        // Four frames at a time: two steps, the noise split into the left's and the right's.
        while i + 4 <= count {
            let noise = SIMD8(lowHalf: Self.noisePair(&state), highHalf: Self.noisePair(&state))
            let l = UnsafeRawPointer(left + i).loadUnaligned(as: SIMD4<Float>.self)
            UnsafeMutableRawPointer(left + i).storeBytes(
                of: Self.dithered(
                    l, noiseLSB: noise.evenHalf, lsb: lsb, scale: scale, top: top, asDouble: SIMD4<Double>.init,
                    asFloat: SIMD4<Float>.init),
                as: SIMD4<Float>.self)
            if stereo {
                let r = UnsafeRawPointer(right + i).loadUnaligned(as: SIMD4<Float>.self)
                UnsafeMutableRawPointer(right + i).storeBytes(
                    of: Self.dithered(
                        r, noiseLSB: noise.oddHalf, lsb: lsb, scale: scale, top: top, asDouble: SIMD4<Double>.init,
                        asFloat: SIMD4<Float>.init),
                    as: SIMD4<Float>.self)
            }
            i += 4
        }
        while i < count {
            let pair = Self.noisePair(&state)
            frame(i, noise: pair.lowHalf)
            i += 1
            if i < count {
                frame(i, noise: pair.highHalf)
                i += 1
            } else {
                pendingNoise = pair.highHalf
            }
        }
        self.state = state
    }
}
