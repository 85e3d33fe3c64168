/// The static curve of a compressor with a soft knee, as gain reduction (dB, ≥ 0) against level
/// (dB): zero under the knee, (1 − 1/ratio) of the overshoot over it, and a quadratic joining
/// the two inside it (D. Giannoulis, M. Massberg, J. D. Reiss, "Digital Dynamic Range Compressor
/// Design — A Tutorial and Analysis", JAES 60(6), 2012, eq. 4). On any number of lanes, each
/// with its own settings: the compressor and de-esser run it eight levels at a time, the track
/// bank on its eight lanes, `GainComputer` on one.
@usableFromInline
struct SoftKneeCurve<V: LaneVector>: Sendable {
    @usableFromInline let threshold: V
    @usableFromInline let knee: V
    @usableFromInline let halfKnee: V
    /// 2 × knee, kept off zero: a hard knee (0 dB) never reaches the quadratic, whose value is
    /// replaced, but it must not be a division by zero either.
    @usableFromInline let kneeDivisor: V
    @usableFromInline let slope: V

    @usableFromInline
    init(thresholdDB: V, kneeDB: V, ratio: V) {
        let (one, two, smallest) = (V(repeating: 1), V(repeating: 2), V(repeating: 1e-9))
        threshold = thresholdDB
        knee = kneeDB
        halfKnee = kneeDB / two
        kneeDivisor = (two * kneeDB).replacing(with: smallest, where: two * kneeDB .< smallest)
        slope = one - one / ratio
    }

    @inlinable @inline(__always)
    func reduction(_ levelDB: V) -> V {
        let overshoot = levelDB - threshold
        let into = overshoot + halfKnee
        let twiceOvershoot = V(repeating: 2) * overshoot
        var reduction = (slope * into * into) / kneeDivisor
        reduction = reduction.replacing(with: slope * overshoot, where: twiceOvershoot .>= knee)
        return reduction.replacing(with: V(repeating: 0), where: twiceOvershoot .<= -knee)
    }
}

/// A level detector's ballistics: one step of the one-pole smoother toward `input`, with the
/// attack coefficient while the input is above the level and the release one below (the caller
/// picks). The compressor and de-esser run it on one sample, the track bank on eight lanes.
public enum Ballistics {
    @inlinable @inline(__always)
    public static func step<V: LaneValue>(_ level: V, toward input: V, coefficient: V) -> V {
        // input + c·(level − input): one fused step where the machine fuses.
        V.fusedAdd(input, coefficient, level - input)
    }
}
