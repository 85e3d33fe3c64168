/// 2× up- and down-sampling of a stereo signal through polyphase IIR half-band filters
/// (`HalfbandAllpassDesign`: 8 coefficients, transition ±3 % of the oversampled rate around its
/// quarter, over 90 dB stopband), so a nonlinearity can run at twice the rate without aliasing.
/// Both channels run in the lanes of `SIMD2<Float>`.
@usableFromInline
struct HalfbandOversampler {
    /// Coefficients per branch.
    @usableFromInline static let sectionsPerBranch = 4
    @usableFromInline static let design: [Float] = HalfbandAllpassDesign
        .coefficients(count: 2 * sectionsPerBranch, transitionWidth: 0.03).map(Float.init)

    /// One branch: a cascade of first-order allpass sections in the low-rate time base.
    @usableFromInline
    struct Branch {
        @usableFromInline var a: SIMD4<Float>
        @usableFromInline var x1: (SIMD2<Float>, SIMD2<Float>, SIMD2<Float>, SIMD2<Float>) = (.zero, .zero, .zero, .zero)
        @usableFromInline var y1: (SIMD2<Float>, SIMD2<Float>, SIMD2<Float>, SIMD2<Float>) = (.zero, .zero, .zero, .zero)

        @usableFromInline init(_ a: SIMD4<Float>) {
            self.a = a
        }

        @usableFromInline mutating func reset() {
            x1 = (.zero, .zero, .zero, .zero)
            y1 = (.zero, .zero, .zero, .zero)
        }

        /// `y = a·(x − y₁) + x₁` for each section in turn.
        @inlinable @inline(__always)
        mutating func process(_ input: SIMD2<Float>) -> SIMD2<Float> {
            var x = input
            var y = a[0] * (x - y1.0) + x1.0
            x1.0 = x; y1.0 = y; x = y
            y = a[1] * (x - y1.1) + x1.1
            x1.1 = x; y1.1 = y; x = y
            y = a[2] * (x - y1.2) + x1.2
            x1.2 = x; y1.2 = y; x = y
            y = a[3] * (x - y1.3) + x1.3
            x1.3 = x; y1.3 = y
            return y
        }
    }

    @usableFromInline var upEven: Branch
    @usableFromInline var upOdd: Branch
    @usableFromInline var downEven: Branch
    @usableFromInline var downOdd: Branch
    @usableFromInline var previousOdd = SIMD2<Float>.zero

    @usableFromInline init() {
        let d = Self.design
        let even = SIMD4(d[0], d[2], d[4], d[6])
        let odd = SIMD4(d[1], d[3], d[5], d[7])
        upEven = Branch(even)
        upOdd = Branch(odd)
        downEven = Branch(even)
        downOdd = Branch(odd)
    }

    @usableFromInline mutating func reset() {
        upEven.reset()
        upOdd.reset()
        downEven.reset()
        downOdd.reset()
        previousOdd = .zero
    }

    /// One input frame → two frames at twice the rate.
    @inlinable @inline(__always)
    mutating func upsample(_ x: SIMD2<Float>) -> (SIMD2<Float>, SIMD2<Float>) {
        (upEven.process(x), upOdd.process(x))
    }

    /// Two frames at twice the rate → one output frame.
    @inlinable @inline(__always)
    mutating func downsample(_ even: SIMD2<Float>, _ odd: SIMD2<Float>) -> SIMD2<Float> {
        let y = 0.5 * (downEven.process(even) + downOdd.process(previousOdd))
        previousOdd = odd
        return y
    }
}
