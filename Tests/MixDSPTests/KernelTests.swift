import Foundation
@testable import MixDSP
import Testing

/// The kernels are written once over the lane width; these pin that every width computes the
/// same bits per lane, and the denormal flush's edge cases.
@Suite("DSP kernels, one formula on every lane width")
struct KernelTests {
    /// Inputs across each kernel's range: both sides of every branch, the clamps, and zero.
    static let inputs: [Float] = stride(from: -5.0, through: 5.0, by: 0.0625).map(Float.init) + [-0, 3, -3, 1e-20]

    /// Runs `body` on the inputs eight at a time on `SIMD8`, four at a time on `SIMD4` and two
    /// at a time on `SIMD2`, and returns the three results lane by lane.
    static func onEveryWidth(_ values: [Float], _ body8: (SIMD8<Float>) -> SIMD8<Float>,
                             _ body4: (SIMD4<Float>) -> SIMD4<Float>, _ body2: (SIMD2<Float>) -> SIMD2<Float>) -> [[Float]] {
        let padded = values + [Float](repeating: 0, count: (8 - values.count % 8) % 8)
        var results: [[Float]] = [[], [], []]
        for start in stride(from: 0, to: padded.count, by: 8) {
            let y = body8(SIMD8(padded[start..<start + 8]))
            results[0] += (0..<8).map { y[$0] }
        }
        for start in stride(from: 0, to: padded.count, by: 4) {
            let y = body4(SIMD4(padded[start..<start + 4]))
            results[1] += (0..<4).map { y[$0] }
        }
        for start in stride(from: 0, to: padded.count, by: 2) {
            let y = body2(SIMD2(padded[start..<start + 2]))
            results[2] += (0..<2).map { y[$0] }
        }
        return results
    }

    @Test("the Padé curve gives the same bits on 2, 4 and 8 lanes, odd, and held at ±1 from |x| = 3")
    func padeSaturation() {
        let results = Self.onEveryWidth(Self.inputs, PadeSaturation.shape, PadeSaturation.shape, PadeSaturation.shape)
        #expect(results[0].map(\.bitPattern) == results[1].map(\.bitPattern))
        #expect(results[0].map(\.bitPattern) == results[2].map(\.bitPattern))
        for (x, y) in zip(Self.inputs, results[0]) {
            if abs(x) >= 3 { #expect(y == (x > 0 ? 1 : -1), "x = \(x)") }
            let reference = Double(x) * (27 + Double(x) * Double(x)) / (27 + 9 * Double(x) * Double(x))
            if abs(x) < 3 { #expect(abs(Double(y) - reference) < 1e-6, "x = \(x)") }
        }
    }

    @Test("the soft-knee curve gives the same bits on 2, 4 and 8 lanes, and GainComputer is its one lane",
          arguments: [0.0 as Float, 6, 12])
    func softKnee(kneeDB: Float) {
        let computer = GainComputer(thresholdDB: -2, ratio: 4, kneeDB: kneeDB)
        let levels = Self.inputs.map { $0 * 6 }
        let results = Self.onEveryWidth(
            levels, computer.curve(SIMD8<Float>.self).reduction, computer.curve(SIMD4<Float>.self).reduction,
            computer.curve(SIMD2<Float>.self).reduction)
        #expect(results[0].map(\.bitPattern) == results[1].map(\.bitPattern))
        #expect(results[0].map(\.bitPattern) == results[2].map(\.bitPattern))
        for (level, reduction) in zip(levels, results[0]) {
            #expect(computer.gainReductionDB(level).bitPattern == reduction.bitPattern, "level \(level) dB")
            #expect(reduction.isFinite && reduction >= 0, "level \(level) dB")
        }
    }

    @Test("one ballistics step gives the same bits on one sample as on a lane")
    func ballistics() {
        for (level, input) in zip(Self.inputs, Self.inputs.reversed()) {
            let coefficient: Float = 0.999
            let lanes = Ballistics.step(SIMD8(repeating: level), toward: SIMD8(repeating: input), coefficient: SIMD8(repeating: coefficient))
            #expect(Ballistics.step(level, toward: input, coefficient: coefficient).bitPattern == lanes[3].bitPattern)
        }
    }

    @Test("the denormal flush zeroes magnitudes under 1e-30 (either sign) and keeps the rest, NaN included")
    func denormalFlush() {
        let v = SIMD8<Float>(1e-31, -1e-31, 1e-29, -1e-29, .leastNonzeroMagnitude, -0.0, .nan, 1)
        let flushed = Denormals.flushed(v)
        #expect(flushed[0] == 0 && flushed[1] == 0 && flushed[4] == 0 && flushed[5] == 0)
        #expect(flushed[0].sign == .plus && flushed[1].sign == .plus)
        #expect(flushed[2] == 1e-29 && flushed[3] == -1e-29 && flushed[6].isNaN && flushed[7] == 1)
        let doubles = Denormals.flushed(SIMD4<Double>(1e-31, -1e-31, 1e-29, .nan))
        #expect(doubles[0] == 0 && doubles[1] == 0 && doubles[2] == 1e-29 && doubles[3].isNaN)
    }

    @Test("the biquad kernel on eight lanes gives each lane the bits of a stereo filter with its coefficients")
    func biquadLanes() {
        let designs: [BiquadCoefficients] = [
            .highPass(cutoffHz: 80, sampleRate: 48_000), .lowPass(cutoffHz: 9_000, sampleRate: 48_000),
            .bandPass(centerHz: 7_071, q: 1.41, sampleRate: 48_000), .highPass(cutoffHz: 5_000, sampleRate: 48_000),
        ]
        var lanes = LaneBiquad()
        var stereo = designs.map { coefficients -> StereoBiquad in
            var filter = StereoBiquad()
            filter.setCoefficients(coefficients)
            return filter
        }
        for (index, coefficients) in designs.enumerated() {
            lanes.setCoefficients(coefficients, lane: 2 * index)
            lanes.setCoefficients(coefficients, lane: 2 * index + 1)
        }
        var noise = SystemRandomNumberGenerator()
        for frame in 0..<4_096 {
            if frame % Denormals.interval == 0 {
                lanes.flushState()
                for index in stereo.indices { stereo[index].flushState() }
            }
            let input = SIMD8<Float>((0..<8).map { _ in Float.random(in: -1...1, using: &noise) })
            let y = lanes.process(input)
            for index in stereo.indices {
                let expected = stereo[index].process(SIMD2(input[2 * index], input[2 * index + 1]))
                #expect(y[2 * index].bitPattern == expected.x.bitPattern && y[2 * index + 1].bitPattern == expected.y.bitPattern)
            }
        }
    }
}
