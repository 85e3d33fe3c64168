/// 2× up- and down-sampling of a stereo signal through polyphase IIR half-band filters
/// (`HalfbandAllpassDesign`: 8 coefficients, flat to about 0.24 of the oversampled rate and
/// below −90 dB from about 0.265), so a nonlinearity can run at twice the rate without aliasing.
///
/// The two polyphase branches are independent, so both run at once in the lanes of one
/// `SIMD4<Float>`: (left, right) of the even branch, then (left, right) of the odd one.
@usableFromInline
struct HalfbandOversampler {
    @usableFromInline static let sectionsPerBranch = 4
    @usableFromInline static let design: [Float] = HalfbandAllpassDesign
        .coefficients(count: 2 * sectionsPerBranch, transitionWidth: 0.03).map(Float.init)

    /// One branch's allpass chain on four lanes: (left, right) of the even branch, then of the odd.
    @usableFromInline typealias Chain = AllpassChainKernel<SIMD4<Float>>

    @usableFromInline static func makeChain() -> Chain {
        let d = design
        // Lanes 0–1: the even branch's coefficients (d[0], d[2], …); lanes 2–3: the odd one's.
        func lanes(_ k: Int) -> SIMD4<Float> { SIMD4(d[2 * k], d[2 * k], d[2 * k + 1], d[2 * k + 1]) }
        return Chain(coefficients: (lanes(0), lanes(1), lanes(2), lanes(3)))
    }

    @usableFromInline var up = makeChain()
    @usableFromInline var down = makeChain()
    @usableFromInline var previousOdd = SIMD2<Float>.zero

    @usableFromInline init() {}

    @usableFromInline mutating func reset() {
        up.reset()
        down.reset()
        previousOdd = .zero
    }

    /// One input frame → two frames at twice the rate, as (even L, even R, odd L, odd R).
    @inlinable @inline(__always)
    mutating func upsample(_ x: SIMD2<Float>) -> SIMD4<Float> {
        up.process(SIMD4(lowHalf: x, highHalf: x))
    }

    /// Two frames at twice the rate, (even L, even R, odd L, odd R) → one output frame:
    /// `½·(A₀(even) + A₁(previous odd))`.
    @inlinable @inline(__always)
    mutating func downsample(_ frames: SIMD4<Float>) -> SIMD2<Float> {
        let y = down.process(SIMD4(lowHalf: frames.lowHalf, highHalf: previousOdd))
        previousOdd = frames.highHalf
        return 0.5 * (y.lowHalf + y.highHalf)
    }
}
