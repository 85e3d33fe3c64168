/// `HalfbandOversampler` on eight lanes: the even and the odd polyphase branch each run as one
/// eight-lane allpass chain, with the same coefficients and the same steps as the stereo
/// oversampler's four lanes, so each lane gives the bits of its track's own saturator.
struct LaneOversampler {
    /// One branch's allpass chain on eight lanes, one coefficient for all lanes.
    typealias Chain = AllpassChainKernel<SIMD8<Float>>

    /// The even branch (`odd` false: design coefficients 0, 2, 4, 6) or the odd one.
    static func makeChain(odd: Bool) -> Chain {
        let d = HalfbandOversampler.design
        func coefficient(_ k: Int) -> SIMD8<Float> { SIMD8(repeating: d[2 * k + (odd ? 1 : 0)]) }
        return Chain(coefficients: (coefficient(0), coefficient(1), coefficient(2), coefficient(3)))
    }

    var upEven = makeChain(odd: false), upOdd = makeChain(odd: true)
    var downEven = makeChain(odd: false), downOdd = makeChain(odd: true)
    var previousOdd = SIMD8<Float>()

    mutating func reset() {
        upEven.reset()
        upOdd.reset()
        downEven.reset()
        downOdd.reset()
        previousOdd = .zero
    }

    /// Flushes the chains the saturator flushes at this point: the up chains before its first
    /// pass, the down chains before its last.
    @inline(__always)
    mutating func flushUp() {
        upEven.flushState()
        upOdd.flushState()
    }

    @inline(__always)
    mutating func flushDown() {
        downEven.flushState()
        downOdd.flushState()
    }

    /// One input frame → the two frames at twice the rate (even, odd).
    @inline(__always)
    mutating func upsample(_ x: SIMD8<Float>) -> (even: SIMD8<Float>, odd: SIMD8<Float>) {
        (upEven.process(x), upOdd.process(x))
    }

    /// The two frames at twice the rate → one output frame: `½·(A₀(even) + A₁(previous odd))`.
    @inline(__always)
    mutating func downsample(even: SIMD8<Float>, odd: SIMD8<Float>) -> SIMD8<Float> {
        let y0 = downEven.process(even)
        let y1 = downOdd.process(previousOdd)
        previousOdd = odd
        return 0.5 * (y0 + y1)
    }
}
