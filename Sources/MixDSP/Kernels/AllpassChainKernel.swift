/// Four first-order allpass sections in series, `y = a·(x − y₁) + x₁` each, on the lanes of `V`:
/// one polyphase branch of the half-band oversamplers. `HalfbandOversampler` runs both branches
/// of a stereo pair on four lanes, `LaneOversampler` one branch of the track bank's eight lanes;
/// both are this recurrence, so a lane gives the bits of its track's own saturator.
@usableFromInline
struct AllpassChainKernel<V: LaneVector> {
    @usableFromInline let a: (V, V, V, V)
    @usableFromInline var x1: (V, V, V, V)
    @usableFromInline var y1: (V, V, V, V)

    /// The chain with each section's coefficient on every lane (`coefficients.0` first).
    @usableFromInline init(coefficients: (V, V, V, V)) {
        a = coefficients
        let zero = V(repeating: 0)
        (x1, y1) = ((zero, zero, zero, zero), (zero, zero, zero, zero))
    }

    @usableFromInline mutating func reset() {
        let zero = V(repeating: 0)
        (x1, y1) = ((zero, zero, zero, zero), (zero, zero, zero, zero))
    }

    /// Each section as `y = (x₁ + a·x) − a·y₁`: only the last multiply-subtract waits on the
    /// previous output, which halves the recurrence the processor must wait for (one fused
    /// instruction where the machine fuses).
    @inlinable @inline(__always)
    mutating func process(_ input: V) -> V {
        var x = input
        var y = V.fusedAdd(V.fusedAdd(x1.0, a.0, x), -a.0, y1.0)
        x1.0 = x; y1.0 = y; x = y
        y = V.fusedAdd(V.fusedAdd(x1.1, a.1, x), -a.1, y1.1)
        x1.1 = x; y1.1 = y; x = y
        y = V.fusedAdd(V.fusedAdd(x1.2, a.2, x), -a.2, y1.2)
        x1.2 = x; y1.2 = y; x = y
        y = V.fusedAdd(V.fusedAdd(x1.3, a.3, x), -a.3, y1.3)
        x1.3 = x; y1.3 = y
        return y
    }
}

extension AllpassChainKernel {
    /// After silence the states would sit at the smallest denormal for ever: the owner flushes
    /// them every `Denormals.interval` frames since reset.
    @inlinable @inline(__always)
    mutating func flushState() {
        x1 = (Denormals.flushed(x1.0), Denormals.flushed(x1.1), Denormals.flushed(x1.2), Denormals.flushed(x1.3))
        y1 = (Denormals.flushed(y1.0), Denormals.flushed(y1.1), Denormals.flushed(y1.2), Denormals.flushed(y1.3))
    }
}
