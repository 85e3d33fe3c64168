import MixAnalysis
import MixDSP

/// The mono check of every widened track: a stereo track whose chain widens it, measured on its
/// output in the first pass — its L/R correlation over the song and the loudness it loses summed
/// to mono (½(L + R) on both channels, as the master's check: an uncorrelated pair loses 3 dB).
/// Widening that does not survive a phone speaker shows here before the master hides it among
/// the other tracks. Its state is touched only by the first pass's group queue.
final class TrackMonoCheck {
    struct Reading: Sendable, Equatable {
        /// L/R correlation of the whole track (−1…+1; 0 for silence).
        var correlation: Double
        /// Integrated loudness of the track summed to mono.
        var monoLUFS: Double?
    }

    /// The tracks checked (their indices in the render's order).
    private let checked: [Int]
    private let loudness: GatedLoudnessBank?
    private let mids: [UnsafeMutablePointer<Float>]
    private let sources: UnsafeMutablePointer<UnsafePointer<Float>>
    private var sums: [(lr: Double, ll: Double, rr: Double)]

    init(tracks: [TrackRenderer], sampleRate: Int, capacity: Int) {
        checked = tracks.indices.filter { tracks[$0].chain.spec.channelCount == 2 && tracks[$0].chain.spec.width != 1 }
        loudness = checked.isEmpty ? nil : GatedLoudnessBank(streamCount: checked.count, sampleRate: sampleRate)
        mids = checked.map { _ in .allocate(capacity: capacity) }
        sources = .allocate(capacity: max(1, checked.count))
        for (stream, mid) in mids.enumerated() { (sources + stream).initialize(to: UnsafePointer(mid)) }
        sums = Array(repeating: (0, 0, 0), count: checked.count)
    }

    deinit {
        for mid in mids { mid.deallocate() }
        sources.deallocate()
    }

    /// Adds `frameCount` frames of the checked tracks' output set `slot`.
    func add(tracks: [TrackRenderer], slot: Int, frameCount: Int) {
        guard let loudness else { return }
        for (stream, index) in checked.enumerated() {
            let (left, right) = tracks[index].output(slot)
            let mid = mids[stream]
            var (lr, ll, rr) = (0.0, 0.0, 0.0)
            for i in 0..<frameCount {
                let (l, r) = (left[i], right[i])
                mid[i] = 0.5 * (l + r)
                lr += Double(l * r)
                ll += Double(l * l)
                rr += Double(r * r)
            }
            sums[stream].lr += lr
            sums[stream].ll += ll
            sums[stream].rr += rr
        }
        // Mono on both channels: the same pointers left and right.
        loudness.add(left: sources, right: sources, frameCount: frameCount)
    }

    /// Each track's reading, in the render's order (nil: not widened).
    func readings(trackCount: Int) -> [Reading?] {
        var readings = [Reading?](repeating: nil, count: trackCount)
        for (stream, index) in checked.enumerated() {
            let (lr, ll, rr) = sums[stream]
            let correlation = ll > 0 && rr > 0 ? lr / (ll * rr).squareRoot() : 0
            readings[index] = Reading(correlation: correlation, monoLUFS: loudness?.integratedLUFS(stream: stream))
        }
        return readings
    }
}
