import MixAnalysis
import MixDSP

/// The end of the first pass, on its last queue: the tracks' output summed by group (lead,
/// backing vocals, beat; only the groups the session has), the groups' loudness kept in a form
/// that gives the loudness of any blend of them (`BlendLoudness`), and the sums spooled as
/// interleaved float frames (each group's left and right, in `groups` order) for the blend pass.
///
/// A user's gain on a stem moves it from where the balance puts it, so the balance is decided
/// without it: where a stem carries one, the groups are also summed with each track's output
/// taken back by its user gain (`balanceLoudness`; the chain after the fader is linear but for
/// the de-esser). Its state is touched only by that queue.
final class GroupStage {
    /// The groups the session has, in spool order.
    let groups: [MixGroup]
    /// Each track's group, as an index into `groups`.
    let trackGroups: [Int]
    /// The groups as spooled (what is mixed), and as the balance decides from (the same meter
    /// when no stem carries a user's gain).
    let loudness: BlendLoudness
    let balanceLoudness: BlendLoudness
    /// Each track's output scale in the balance's sums: 1 / its user gain; nil when all are 1.
    private let balanceScales: [Float]?
    private let capacity: Int
    /// The sums, planar (left then right per group), `capacity` frames each.
    private let sums: UnsafeMutablePointer<Float>
    private let lefts: UnsafeMutablePointer<UnsafePointer<Float>>
    private let rights: UnsafeMutablePointer<UnsafePointer<Float>>
    private let interleaved: UnsafeMutablePointer<Float>
    /// The balance's sums, like `sums`, when they differ.
    private let balanceSums: UnsafeMutablePointer<Float>?
    private let balanceLefts: UnsafeMutablePointer<UnsafePointer<Float>>
    private let balanceRights: UnsafeMutablePointer<UnsafePointer<Float>>

    /// Bytes of one frame in the spool.
    var frameBytes: Int { 2 * groups.count * MemoryLayout<Float>.size }

    init(roles: [Role], userGainsDB: [Double], sampleRate: Int, expectedFrameCount: Int, capacity: Int) {
        let trackGroups = roles.map(MixGroup.init(role:))
        groups = MixGroup.allCases.filter(trackGroups.contains)
        self.trackGroups = trackGroups.map { [groups] in groups.firstIndex(of: $0)! }
        self.capacity = capacity
        loudness = BlendLoudness(streamCount: groups.count, sampleRate: sampleRate, expectedFrameCount: expectedFrameCount)
        sums = .allocate(capacity: 2 * groups.count * capacity)
        sums.initialize(repeating: 0, count: 2 * groups.count * capacity)
        lefts = .allocate(capacity: groups.count)
        rights = .allocate(capacity: groups.count)
        for group in groups.indices {
            (lefts + group).initialize(to: UnsafePointer(sums + 2 * group * capacity))
            (rights + group).initialize(to: UnsafePointer(sums + (2 * group + 1) * capacity))
        }
        interleaved = .allocate(capacity: 2 * groups.count * capacity)
        balanceLefts = .allocate(capacity: groups.count)
        balanceRights = .allocate(capacity: groups.count)
        if userGainsDB.contains(where: { $0 != 0 }) {
            balanceScales = userGainsDB.map { Float(Decibels.toAmplitude(-$0)) }
            let balanceSums = UnsafeMutablePointer<Float>.allocate(capacity: 2 * groups.count * capacity)
            balanceSums.initialize(repeating: 0, count: 2 * groups.count * capacity)
            self.balanceSums = balanceSums
            balanceLoudness = BlendLoudness(
                streamCount: groups.count, sampleRate: sampleRate, expectedFrameCount: expectedFrameCount)
        } else {
            (balanceScales, balanceSums, balanceLoudness) = (nil, nil, loudness)
        }
        let balanceBase = balanceSums ?? sums
        for group in groups.indices {
            (balanceLefts + group).initialize(to: UnsafePointer(balanceBase + 2 * group * capacity))
            (balanceRights + group).initialize(to: UnsafePointer(balanceBase + (2 * group + 1) * capacity))
        }
    }

    deinit {
        sums.deallocate()
        lefts.deallocate()
        rights.deallocate()
        interleaved.deallocate()
        balanceSums?.deallocate()
        balanceLefts.deallocate()
        balanceRights.deallocate()
    }

    /// Sums the tracks' output set `slot` over `frameCount` frames by group, meters the sums and
    /// appends them to `spool`.
    func add(tracks: [TrackRenderer], slot: Int, frameCount: Int, to spool: Spool) throws {
        precondition(frameCount <= capacity)
        let width = 2 * groups.count
        for group in groups.indices {
            let (left, right) = (sums + 2 * group * capacity, sums + (2 * group + 1) * capacity)
            left.update(repeating: 0, count: frameCount)
            right.update(repeating: 0, count: frameCount)
            for (index, track) in tracks.enumerated() where trackGroups[index] == group {
                let output = track.output(slot)
                for i in 0..<frameCount {
                    left[i] += output.left[i]
                    right[i] += output.right[i]
                }
            }
            for i in 0..<frameCount {
                interleaved[width * i + 2 * group] = left[i]
                interleaved[width * i + 2 * group + 1] = right[i]
            }
        }
        loudness.add(left: lefts, right: rights, frameCount: frameCount)
        if let balanceSums, let balanceScales {
            for group in groups.indices {
                let (left, right) = (balanceSums + 2 * group * capacity, balanceSums + (2 * group + 1) * capacity)
                left.update(repeating: 0, count: frameCount)
                right.update(repeating: 0, count: frameCount)
                for (index, track) in tracks.enumerated() where trackGroups[index] == group {
                    let (output, scale) = (track.output(slot), balanceScales[index])
                    for i in 0..<frameCount {
                        left[i] += scale * output.left[i]
                        right[i] += scale * output.right[i]
                    }
                }
            }
            balanceLoudness.add(left: balanceLefts, right: balanceRights, frameCount: frameCount)
        }
        try spool.write(interleaved, count: frameCount * frameBytes)
    }
}
