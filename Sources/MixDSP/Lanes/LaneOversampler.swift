/// `HalfbandOversampler` on eight lanes: the even and the odd polyphase branch each run as one
/// eight-lane allpass chain, with the same coefficients and the same steps as the stereo
/// oversampler's four lanes, so each lane gives the bits of its track's own saturator.
struct LaneOversampler {
    /// Four first-order allpass sections `y = a·(x − y₁) + x₁`, one coefficient for all lanes.
    struct Chain {
        let a: (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>)
        var x1 = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
        var y1 = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())

        /// The even branch (`odd` false: design coefficients 0, 2, 4, 6) or the odd one.
        init(odd: Bool) {
            let d = HalfbandOversampler.design
            func coefficient(_ k: Int) -> SIMD8<Float> { SIMD8(repeating: d[2 * k + (odd ? 1 : 0)]) }
            a = (coefficient(0), coefficient(1), coefficient(2), coefficient(3))
        }

        mutating func reset() {
            x1 = (.zero, .zero, .zero, .zero)
            y1 = (.zero, .zero, .zero, .zero)
        }

        @inline(__always)
        mutating func process(_ input: SIMD8<Float>) -> SIMD8<Float> {
            var x = input
            #if MIXDOWN_FMA
            var y = x1.0.addingProduct(a.0, x).addingProduct(-a.0, y1.0)
            x1.0 = x; y1.0 = y; x = y
            y = x1.1.addingProduct(a.1, x).addingProduct(-a.1, y1.1)
            x1.1 = x; y1.1 = y; x = y
            y = x1.2.addingProduct(a.2, x).addingProduct(-a.2, y1.2)
            x1.2 = x; y1.2 = y; x = y
            y = x1.3.addingProduct(a.3, x).addingProduct(-a.3, y1.3)
            x1.3 = x; y1.3 = y
            #else
            var y = (x1.0 + a.0 * x) - a.0 * y1.0
            x1.0 = x; y1.0 = y; x = y
            y = (x1.1 + a.1 * x) - a.1 * y1.1
            x1.1 = x; y1.1 = y; x = y
            y = (x1.2 + a.2 * x) - a.2 * y1.2
            x1.2 = x; y1.2 = y; x = y
            y = (x1.3 + a.3 * x) - a.3 * y1.3
            x1.3 = x; y1.3 = y
            #endif
            return y
        }

        @inline(__always)
        static func flush(_ v: SIMD8<Float>) -> SIMD8<Float> {
            v.replacing(with: 0, where: (v .< 1e-30) .& (v .> -1e-30))
        }

        /// See `HalfbandOversampler.Chain.flushState()`.
        @inline(__always)
        mutating func flushState() {
            x1 = (Self.flush(x1.0), Self.flush(x1.1), Self.flush(x1.2), Self.flush(x1.3))
            y1 = (Self.flush(y1.0), Self.flush(y1.1), Self.flush(y1.2), Self.flush(y1.3))
        }
    }

    var upEven = Chain(odd: false), upOdd = Chain(odd: true)
    var downEven = Chain(odd: false), downOdd = Chain(odd: true)
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
