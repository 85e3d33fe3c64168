/// Where the tracks of a `LaneChainBank` sit in the eight lanes of a `SIMD8<Float>`: a stereo
/// track takes lane k for its left channel and lane k + 4 for its right (so a channel's partner
/// is across the halves of the vector, one swap away), a mono track one lane. Stereo tracks are
/// placed first, from lane 0 up; mono tracks fill the lanes left.
public struct LaneLayout: Sendable, Equatable {
    public static let laneCount = 8

    /// Each track's lane (its left channel's, for a stereo track) and its right channel's lane
    /// (nil for a mono track), in the order the tracks were given.
    public let trackLanes: [(first: Int, second: Int?)]
    /// Lanes holding a channel of a stereo track.
    let stereoLanes: SIMDMask<SIMD8<Int32>>

    /// Places tracks of `channelCounts` (1 or 2 each); nil when they do not fit in eight lanes.
    public init?(channelCounts: [Int]) {
        precondition(channelCounts.allSatisfy { $0 == 1 || $0 == 2 })
        let stereo = channelCounts.filter { $0 == 2 }.count, mono = channelCounts.count - stereo
        guard 2 * stereo + mono <= Self.laneCount else { return nil }
        let half = Self.laneCount / 2
        // Mono tracks take the lanes stereo pairs leave: in each half, from lane `stereo` up.
        let monoLanes = Array(stereo..<half) + Array((half + stereo)..<Self.laneCount)
        var nextPair = 0, nextMono = 0
        var lanes: [(first: Int, second: Int?)] = []
        var stereoMask = SIMDMask<SIMD8<Int32>>(repeating: false)
        for count in channelCounts {
            if count == 2 {
                lanes.append((nextPair, nextPair + half))
                stereoMask[nextPair] = true
                stereoMask[nextPair + half] = true
                nextPair += 1
            } else {
                lanes.append((monoLanes[nextMono], nil))
                nextMono += 1
            }
        }
        trackLanes = lanes
        stereoLanes = stereoMask
    }

    public static func == (lhs: LaneLayout, rhs: LaneLayout) -> Bool {
        lhs.trackLanes.elementsEqual(rhs.trackLanes) { $0 == $1 }
    }

    /// Lanes in use.
    public var usedLaneCount: Int { trackLanes.reduce(0) { $0 + ($1.second == nil ? 1 : 2) } }

    /// The lanes of track `track`.
    public func lanes(ofTrack track: Int) -> [Int] {
        let lane = trackLanes[track]
        return [lane.first] + (lane.second.map { [$0] } ?? [])
    }

    /// One value per track spread over its lanes (unused lanes get `idle`).
    func lanes(_ values: [Float], idle: Float) -> SIMD8<Float> {
        var vector = SIMD8<Float>(repeating: idle)
        for track in trackLanes.indices {
            for lane in lanes(ofTrack: track) { vector[lane] = values[track] }
        }
        return vector
    }

    /// Lanes of the tracks for which `included` is true.
    func mask(_ included: [Bool]) -> SIMDMask<SIMD8<Int32>> {
        var mask = SIMDMask<SIMD8<Int32>>(repeating: false)
        for track in trackLanes.indices where included[track] {
            for lane in lanes(ofTrack: track) { mask[lane] = true }
        }
        return mask
    }

    /// Each lane's partner: the other channel of its stereo track, or itself for a mono or
    /// unused lane (a stereo-linked detector then reads the lane alone, as a mono track's two
    /// equal channels would read).
    @inline(__always)
    static func partners(_ v: SIMD8<Float>, stereo: SIMDMask<SIMD8<Int32>>) -> SIMD8<Float> {
        v.replacing(with: swappedHalves(v), where: stereo)
    }

    /// Lanes 0–3 and 4–7 exchanged: each left channel against its right.
    @inline(__always)
    static func swappedHalves(_ v: SIMD8<Float>) -> SIMD8<Float> {
        SIMD8(lowHalf: v.highHalf, highHalf: v.lowHalf)
    }
}
