import Foundation
import MixAnalysis
import MixTestSupport
import Testing

@Suite("Gated loudness of several streams at once (GatedLoudnessBank)")
struct GatedLoudnessBankTests {
    /// Stream `k`: noise and a sine, each stream at its own level, starting with a silence of its
    /// own length (so the gates differ stream by stream) and ending in 2 s of silence (the
    /// filters ring down across steps).
    static func stream(_ k: Int, rate: Int, seconds: Int) -> (left: [Float], right: [Float]) {
        let count = rate * seconds
        let level = pow(10, -Double(6 + 4 * k) / 20)
        let noise = SignalGenerator.noise(frameCount: count, amplitude: level, seed: UInt64(7 + k))
        let sine = SignalGenerator.sine(
            frequencyHz: 60 + 700 * Double(k), sampleRate: Double(rate), frameCount: count, amplitude: level)
        let lead = rate / 2 * k, tail = count - 2 * rate
        var left = [Float](repeating: 0, count: count), right = left
        for i in lead..<tail {
            left[i] = noise[i] + sine[i]
            right[i] = 0.6 * noise[count - 1 - i] - sine[i]
        }
        return (left, right)
    }

    @Test("each stream reads bit for bit what a meter of its own reads", arguments: [1, 2, 3, 5, 7, 8])
    func equalsSeparateMeters(streamCount: Int) throws {
        let rate = 48_000
        let streams = (0..<streamCount).map { Self.stream($0, rate: rate, seconds: 12) }
        let bank = GatedLoudnessBank(streamCount: streamCount, sampleRate: rate)
        let meters = (0..<streamCount).map { _ in GatedLoudnessMeter(sampleRate: rate) }
        let lefts = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: streamCount)
        let rights = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: streamCount)
        defer {
            lefts.deallocate()
            rights.deallocate()
        }
        let storage = streams.map { (UnsafeMutableBufferPointer<Float>.allocate(capacity: $0.left.count),
                                      UnsafeMutableBufferPointer<Float>.allocate(capacity: $0.right.count)) }
        defer {
            for (left, right) in storage {
                left.deallocate()
                right.deallocate()
            }
        }
        for (index, stream) in streams.enumerated() {
            _ = storage[index].0.initialize(from: stream.left)
            _ = storage[index].1.initialize(from: stream.right)
        }
        // Blocks of odd sizes, crossing the 100 ms steps anywhere; both fed the same blocks.
        let sizes = [1, 4799, 4800, 1601, 13_000, 7, 9600]
        var offset = 0, turn = 0
        let total = streams[0].left.count
        while offset < total {
            let n = min(sizes[turn % sizes.count], total - offset)
            for index in 0..<streamCount {
                lefts[index] = UnsafePointer(storage[index].0.baseAddress! + offset)
                rights[index] = UnsafePointer(storage[index].1.baseAddress! + offset)
                meters[index].add(left: lefts[index], right: rights[index], frameCount: n)
            }
            bank.add(left: lefts, right: rights, frameCount: n)
            offset += n
            turn += 1
        }
        for index in 0..<streamCount {
            let own = try #require(meters[index].integratedLUFS)
            #expect(bank.integratedLUFS(stream: index) == own, "stream \(index) of \(streamCount)")
        }
        // The streams differ, so a bank that mixed them up would not pass the line above.
        let readings = (0..<streamCount).compactMap { bank.integratedLUFS(stream: $0) }
        #expect(Set(readings).count == streamCount)
    }
}
