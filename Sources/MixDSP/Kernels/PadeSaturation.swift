/// The saturator's curve: a Padé approximant of tanh, x(27 + x²)/(27 + 9x²), odd and smooth,
/// reaching ±1 at |x| = 3 and held there. On any number of lanes: the saturator runs it on both
/// oversampled frames of a stereo pair (`SIMD4`), the track bank on its eight lanes.
public enum PadeSaturation {
    @inlinable @inline(__always)
    public static func shape<V: LaneVector>(_ x: V) -> V {
        let three = V(repeating: 3), minusThree = V(repeating: -3)
        let one = V(repeating: 1), minusOne = V(repeating: -1), twentySeven = V(repeating: 27)
        var clamped = x.replacing(with: minusThree, where: x .< minusThree)
        clamped = clamped.replacing(with: three, where: clamped .> three)
        let squared = clamped * clamped
        let numerator = clamped * (twentySeven + squared)
        let denominator = twentySeven + V(repeating: 9) * squared
        var shaped = numerator / denominator
        // Clamped again: at |x| = 3 rounding can land a hair over 1.
        shaped = shaped.replacing(with: minusOne, where: shaped .< minusOne)
        return shaped.replacing(with: one, where: shaped .> one)
    }
}
