@testable import MixEngine
import MixTesting
import Testing

@Suite("sample digest")
struct SampleDigestTests {
    static let samples: [Int32] = SignalGenerator.noise(frameCount: 10_001, seed: 9).map { Int32($0 * 8_388_607) << 8 }

    static func digest(_ samples: [Int32], blockCount: Int) -> SampleDigest {
        var digest = SampleDigest()
        samples.withUnsafeBufferPointer { buffer in
            var start = 0
            while start < buffer.count {
                let n = min(blockCount, buffer.count - start)
                digest.add(buffer.baseAddress! + start, count: n)
                start += n
            }
        }
        return digest
    }

    @Test("the same samples give the same digest in any block size")
    func blockSizes() {
        let whole = Self.digest(Self.samples, blockCount: Self.samples.count)
        for blockCount in [1, 2, 3, 5, 64, 4097] {
            #expect(Self.digest(Self.samples, blockCount: blockCount) == whole, "blocks of \(blockCount)")
        }
    }

    @Test("one changed bit, a missing sample or two swapped samples change it")
    func differences() {
        let whole = Self.digest(Self.samples, blockCount: 4096)
        for index in [0, 1, 2, 3, 5000, 10_000] {
            var changed = Self.samples
            changed[index] ^= 1 << 8
            #expect(Self.digest(changed, blockCount: 4096) != whole, "bit flipped at \(index)")
        }
        var shorter = Self.samples
        shorter.removeLast()
        #expect(Self.digest(shorter, blockCount: 4096) != whole)
        var swapped = Self.samples
        swapped.swapAt(100, 101)
        #expect(Self.digest(swapped, blockCount: 4096) != whole)
    }
}
