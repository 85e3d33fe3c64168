/// One channel of a second-order IIR filter in transposed direct form II, which keeps the
/// state small and behaves well in single precision.
public struct Biquad: Sendable {
    /// The coefficients in use; changing them keeps the state (no click on small moves).
    public var coefficients: BiquadCoefficients {
        didSet { loadCoefficients() }
    }

    @usableFromInline var b0: Float = 1, b1: Float = 0, b2: Float = 0, a1: Float = 0, a2: Float = 0
    @usableFromInline var state1: Float = 0
    @usableFromInline var state2: Float = 0

    /// A filter with the given coefficients and silent state.
    public init(_ coefficients: BiquadCoefficients) {
        self.coefficients = coefficients
        loadCoefficients()
    }

    private mutating func loadCoefficients() {
        b0 = Float(coefficients.b0)
        b1 = Float(coefficients.b1)
        b2 = Float(coefficients.b2)
        a1 = Float(coefficients.a1)
        a2 = Float(coefficients.a2)
    }

    /// Clears the filter's memory.
    public mutating func reset() {
        state1 = 0
        state2 = 0
    }

    /// Filters one sample, exactly as `process(_:)` does each of a block's. For loops that run
    /// several filters at once (a cascade, or filters on the same input): their recurrences
    /// overlap instead of each pass waiting on its own, with the same output as separate passes.
    @inlinable @inline(__always)
    public mutating func process(sample x: Float) -> Float {
        let y = b0 * x + state1
        var s1 = b1 * x - a1 * y + state2
        var s2 = b2 * x - a2 * y
        if abs(s1) < 1e-30 { s1 = 0 }
        if abs(s2) < 1e-30 { s2 = 0 }
        (state1, state2) = (s1, s2)
        return y
    }

    /// Filters `samples` in place.
    public mutating func process(_ samples: UnsafeMutableBufferPointer<Float>) {
        // State in locals for the loop, stored back once (STYLE.md: hot loops).
        var s1 = state1, s2 = state2
        let (b0, b1, b2, a1, a2) = (self.b0, self.b1, self.b2, self.a1, self.a2)
        for index in samples.indices {
            let x = samples[index]
            let y = b0 * x + s1
            // Denormals flushed on every sample: a decaying tail must not slow the filter down,
            // and the result must not depend on where blocks end.
            s1 = b1 * x - a1 * y + s2
            s2 = b2 * x - a2 * y
            if abs(s1) < 1e-30 { s1 = 0 }
            if abs(s2) < 1e-30 { s2 = 0 }
            samples[index] = y
        }
        state1 = s1
        state2 = s2
    }
}
