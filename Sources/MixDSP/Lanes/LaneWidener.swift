/// The width stage on eight lanes: lanes 0–3 hold the stereo tracks' left channels and 4–7
/// their right ones, so mid and side come out as `StereoWidener` computes them, four pairs at
/// once. Only stereo tracks are widened (a mono track's two equal channels have no side).
struct LaneWidener {
    private let width: SIMD4<Float>
    private let lanes: SIMDMask<SIMD8<Int32>>

    /// Each track's width and channel count; nil when no stereo track is widened.
    init?(widths: [Double], channelCounts: [Int], layout: LaneLayout) {
        let widened = zip(widths, channelCounts).map { $0 != 1 && $1 == 2 }
        guard widened.contains(true) else { return nil }
        width = layout.lanes(widths.map(Float.init), idle: 1).lowHalf
        lanes = layout.mask(widened)
    }

    /// Widens `count` frames in place.
    func process(_ frames: UnsafeMutablePointer<SIMD8<Float>>, count: Int) {
        let (width, lanes) = (width, lanes)
        for i in 0..<count {
            let x = frames[i]
            let (left, right) = (x.lowHalf, x.highHalf)
            let mid = 0.5 * (left + right)
            let side = 0.5 * (left - right) * width
            frames[i] = x.replacing(with: SIMD8(lowHalf: mid + side, highHalf: mid - side), where: lanes)
        }
    }
}
