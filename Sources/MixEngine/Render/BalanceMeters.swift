import MixAnalysis

/// The balance as it is mixed, measured where it is set: at the blend (pass 1, on the bus
/// queue, before the master). The BS.1770 loudness of the mix at the blend, of the lead
/// vocal(s), of all the vocals and of everything but the lead, so the quality report can say
/// where the lead sits (QUALITY.md: lead re: mix, vocals re: mix, lead re: the rest). The four
/// sums run through one loudness bank.
final class BalanceMeters {
    /// The streams the bank meters, in its order.
    private enum Stream: Int, CaseIterable {
        case mix, lead, vocals, rest
    }

    /// What was measured (nil: the stream was silent, or the session has no such track).
    struct Reading: Sendable, Equatable {
        var mixLUFS: Double?
        var leadLUFS: Double?
        var vocalsLUFS: Double?
        var restLUFS: Double?
    }

    private let bank: GatedLoudnessBank
    /// For each group stream (lead, vocals, rest): whether track `k` is in it.
    private let members: [[Bool]]
    /// The group sums, left then right per group, `capacity` frames each.
    private let sums: UnsafeMutablePointer<Float>
    private let lefts: UnsafeMutablePointer<UnsafePointer<Float>>
    private let rights: UnsafeMutablePointer<UnsafePointer<Float>>
    private let capacity: Int

    init(roles: [Role], sampleRate: Int, capacity: Int) {
        self.capacity = capacity
        bank = GatedLoudnessBank(streamCount: Stream.allCases.count, sampleRate: sampleRate)
        let vocal: Set<Role> = [.lead, .double, .harmony, .adlib]
        members = [roles.map { $0 == .lead }, roles.map { vocal.contains($0) }, roles.map { $0 != .lead }]
        sums = .allocate(capacity: 2 * members.count * capacity)
        sums.initialize(repeating: 0, count: 2 * members.count * capacity)
        lefts = .allocate(capacity: Stream.allCases.count)
        rights = .allocate(capacity: Stream.allCases.count)
    }

    deinit {
        sums.deallocate()
        lefts.deallocate()
        rights.deallocate()
    }

    /// Meters frames `start..<end` of a chunk: the blend at `mix` (already turned down by
    /// `gain`, the recipe's headroom) and the groups summed from the tracks' output set `slot`
    /// (`tracks` in the order of the roles given at `init`) and turned down alike.
    func add(
        tracks: [TrackRenderer], slot: Int, from start: Int, to end: Int,
        mix: (left: UnsafePointer<Float>, right: UnsafePointer<Float>), gain: Float
    ) {
        let n = end - start
        lefts[Stream.mix.rawValue] = mix.left + start
        rights[Stream.mix.rawValue] = mix.right + start
        for (group, inGroup) in members.enumerated() {
            let (left, right) = (sums + 2 * group * capacity, sums + (2 * group + 1) * capacity)
            left.update(repeating: 0, count: n)
            right.update(repeating: 0, count: n)
            for (index, track) in tracks.enumerated() where inGroup[index] {
                let output = track.output(slot)
                for i in 0..<n {
                    left[i] += output.left[start + i]
                    right[i] += output.right[start + i]
                }
            }
            for i in 0..<n {
                left[i] *= gain
                right[i] *= gain
            }
            lefts[group + 1] = UnsafePointer(left)
            rights[group + 1] = UnsafePointer(right)
        }
        bank.add(left: lefts, right: rights, frameCount: n)
    }

    var reading: Reading {
        Reading(
            mixLUFS: bank.integratedLUFS(stream: Stream.mix.rawValue), leadLUFS: bank.integratedLUFS(stream: Stream.lead.rawValue),
            vocalsLUFS: bank.integratedLUFS(stream: Stream.vocals.rawValue), restLUFS: bank.integratedLUFS(stream: Stream.rest.rawValue))
    }
}
