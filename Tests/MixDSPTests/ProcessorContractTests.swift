import Foundation
import MixDSP
import MixTestSupport
import Testing

/// What every processor promises (STYLE.md): the same output bits whatever the block size,
/// the same output for the same input after `reset`, and no allocation in a warm `process`.
@Suite("The processor contract, for every processor")
struct ProcessorContractTests {
    static let blockSizes = [1, 64, 65, 512, 8192, 8193]

    /// Each processor with settings that make it work (compress, limit, saturate…).
    static let factories: [(String, @Sendable () throws -> any AudioProcessor)] = [
        ("equalizer", { try Equalizer(.init(bands: [
            .init(.highPass, frequencyHz: 80), .init(.bell, frequencyHz: 300, q: 1, gainDB: -3),
            .init(.bell, frequencyHz: 3000, q: 2, gainDB: 4), .init(.lowShelf, frequencyHz: 200, gainDB: 2),
            .init(.highShelf, frequencyHz: 8000, gainDB: -2),
        ])) }),
        ("compressor", { try Compressor(.init(thresholdDB: -30, ratio: 4, kneeDB: 6, attackMs: 3, releaseMs: 80, makeupDB: 4)) }),
        ("compressor rms", { try Compressor(.init(thresholdDB: -30, ratio: 4, detector: .rms)) }),
        ("de-esser", { try DeEsser(.init(thresholdDB: -40)) }),
        ("true-peak limiter", { try TruePeakLimiter(.init(ceilingDBTP: -6)) }),
        ("saturator", { try Saturator(.init(driveDB: 12, mix: 0.7)) }),
        ("gain", { try Gain(.init(gainDB: -3)) }),
        ("air", { try Air(.init(frequencyHz: 11_000, gainDB: 3)) }),
        ("stereo widener", { try StereoWidener(.init(width: 1.4)) }),
        ("dither", { try Dither(.init(bitDepth: 16)) }),
        ("dither 24-bit", { try Dither(.init(bitDepth: 24)) }),
    ]

    /// Noise with loud and quiet stretches, a 7 kHz burst, and a silent tail (where filters decay
    /// toward denormals), so every processor engages.
    static let input: (left: [Float], right: [Float]) = {
        let count = 30_000
        let noise = SignalGenerator.noise(frameCount: count, amplitude: 0.8, seed: 11)
        let other = SignalGenerator.noise(frameCount: count, amplitude: 0.8, seed: 12)
        let ess = SignalGenerator.sine(frequencyHz: 7000, sampleRate: 48_000, frameCount: count, amplitude: 0.6)
        let envelope: (Int) -> Float = { $0 >= 20_000 ? 0 : ($0 % 6000 < 3000 ? 1 : 0.05) }
        return ((0..<count).map { noise[$0] * envelope($0) + ($0 > 12_000 && $0 < 20_000 ? ess[$0] : 0) },
                (0..<count).map { other[$0] * envelope($0) * 0.7 })
    }()

    static func output(_ processor: any AudioProcessor, blockFrameCount: Int) -> [Float] {
        processor.prepare(ProcessSpec(sampleRate: 48_000, maxFrameCount: max(blockFrameCount, 8193)))
        let (left, right) = run(processor, left: input.left, right: input.right, blockFrameCount: blockFrameCount)
        return left + right
    }

    @Test("bit-identical output for block sizes 1, 64, 65, 512, 8192, 8193", arguments: factories.map(\.0))
    func blockSizeInvariance(name: String) throws {
        let make = Self.factories.first { $0.0 == name }!.1
        let reference = Self.output(try make(), blockFrameCount: 8192)
        #expect(reference != Self.input.left + Self.input.right, "\(name) must change the test signal")
        for size in Self.blockSizes {
            #expect(Self.output(try make(), blockFrameCount: size) == reference, "\(name), blocks of \(size)")
        }
    }

    @Test("the same output for the same input, after reset", arguments: factories.map(\.0))
    func determinism(name: String) throws {
        let processor = try Self.factories.first { $0.0 == name }!.1()
        let first = Self.output(processor, blockFrameCount: 512)
        processor.reset()
        let (left, right) = run(processor, left: Self.input.left, right: Self.input.right)
        #expect(left + right == first)
    }

    @Test("a warm process allocates nothing (counted)", arguments: factories.map(\.0))
    func noAllocation(name: String) throws {
        let processor = try Self.factories.first { $0.0 == name }!.1()
        processor.prepare(ProcessSpec(sampleRate: 48_000, maxFrameCount: 512))
        var left = Array(Self.input.left.prefix(512)), right = Array(Self.input.right.prefix(512))
        let allocations = left.withUnsafeMutableBufferPointer { l in
            right.withUnsafeMutableBufferPointer { r in
                let block = AudioBlock(left: l.baseAddress!, right: r.baseAddress!, frameCount: 512)
                // Counted from the first block after prepare: nothing may be left to allocate lazily.
                return countAllocations { processor.process(block) }
            }
        }
        #expect(allocations == 0, "\(name) allocated \(allocations) times in process")
    }

    @Test("the allocation counter counts (a test that the test can fail)")
    func counterWorks() {
        nonisolated(unsafe) var sink: [Int] = []
        let allocations = countAllocations { sink = [Int](repeating: 7, count: 1000) }
        #expect(allocations >= 1)
        #expect(sink.count == 1000)
    }
}
