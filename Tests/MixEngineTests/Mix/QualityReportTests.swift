import Foundation
import MixAnalysis
@testable import MixEngine
import MixTesting
import Testing

/// The quality report against the math (the slope's fit, the correlation and mono sums) and
/// against independent readings of a real mix: libebur128 on the stems as mixed, and on the
/// written file.
@Suite("The quality report")
struct QualityReportTests {
    @Test("the spectrum's slope is the fit of a power law: 1/f reads −3.01 dB/octave, 1/f^1.5 −4.52")
    func slopeOfAPowerLaw() throws {
        let binHz = 48_000.0 / 4096
        for exponent in [1.0, 1.5, 0.0] {
            let powers = (0...2048).map { bin in bin == 0 ? 1 : pow(Double(bin) * binHz, -exponent) }
            let slope = try #require(QualityReport.spectrumSlope(powers, binHz: binHz))
            // Bands average their bins' power, a hair above the power at their centre.
            #expect(abs(slope - (-10 * log10(2) * exponent)) < 0.05, "exponent \(exponent): \(slope) dB/octave")
        }
        #expect(QualityReport.spectrumSlope([Double](repeating: 0, count: 2049), binHz: binHz) == nil)
    }

    @Test("a measure is in its range at either edge, outside beyond it, and unflagged without a value or a range")
    func ranges() {
        let measure = QualityReport.Measure(name: "lead_re_mix_lu", value: -1.1, low: -4.3, high: -1.1, reference: "")
        #expect(measure.inRange == true)
        var beyond = measure
        beyond.value = -1.0
        #expect(beyond.inRange == false)
        beyond.value = nil
        #expect(beyond.inRange == nil)
        let unbounded = QualityReport.Measure(name: "lra_lu", value: 4, low: nil, high: nil, reference: "")
        #expect(unbounded.inRange == nil)
    }

    /// Pink noise from white by Paul Kellet's filter (within ±0.05 dB of 1/f above 10 Hz).
    static func pinkNoise(frameCount: Int, seed: UInt64) -> [Float] {
        let white = SignalGenerator.noise(frameCount: frameCount, amplitude: 1, seed: seed)
        var (b0, b1, b2, b3, b4, b5, b6) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
        return white.map { sample in
            let x = Double(sample)
            b0 = 0.99886 * b0 + x * 0.0555179
            b1 = 0.99332 * b1 + x * 0.0750759
            b2 = 0.96900 * b2 + x * 0.1538520
            b3 = 0.86650 * b3 + x * 0.3104856
            b4 = 0.55000 * b4 + x * 0.5329522
            b5 = -0.7616 * b5 - x * 0.0168980
            let pink = b0 + b1 + b2 + b3 + b4 + b5 + b6 + x * 0.5362
            b6 = x * 0.115926
            return Float(pink * 0.05)
        }
    }

    /// Runs `left`/`right` through the meters in meter frames of 1600 frames (30 fps at 48 kHz),
    /// taking a spectrum each frame as the writing pass does.
    static func meter(left: [Float], right: [Float]) -> MasterQualityMeters.Reading {
        let meters = MasterQualityMeters(sampleRate: 48_000, framesPerSecond: 30, capacity: 1600)
        let analyzer = SpectrumAnalyzer(sampleRate: 48_000)
        let bands = UnsafeMutablePointer<Float>.allocate(capacity: SpectrumAnalyzer.bandCount)
        defer { bands.deallocate() }
        let mid = zip(left, right).map { 0.5 * ($0 + $1) }
        var start = 0
        while start + 1600 <= left.count {
            left.withUnsafeBufferPointer { l in
                right.withUnsafeBufferPointer { r in
                    mid.withUnsafeBufferPointer { m in
                        meters.add(left: l.baseAddress! + start, right: r.baseAddress! + start, mid: m.baseAddress! + start, frameCount: 1600)
                        analyzer.add(UnsafeBufferPointer(rebasing: m[start..<start + 1600]))
                    }
                }
            }
            analyzer.spectrum(into: bands)
            meters.addSpectrum(analyzer)
            start += 1600
        }
        return meters.finish()
    }

    @Test("pink noise reads −3 dB/octave; bass out of phase reads a worst low-band correlation near −1; two unrelated channels lose 3 dB in mono")
    func masterMeters() throws {
        let count = 48_000 * 20
        let pink = Self.pinkNoise(frameCount: count, seed: 3)
        let slope = try #require(QualityReport.spectrumSlope(Self.meter(left: pink, right: pink).binPowers, binHz: 48_000.0 / 4096))
        #expect(abs(slope - -3.01) < 0.25, "\(slope) dB/octave")

        // A 60 Hz tone in opposite phase under a centred 2 kHz tone: the low band cancels in mono.
        let bass = (0..<count).map { Float(0.3 * sin(2 * Double.pi * 60 * Double($0) / 48_000)) }
        let tone = (0..<count).map { Float(0.2 * sin(2 * Double.pi * 2_000 * Double($0) / 48_000)) }
        let opposite = Self.meter(left: zip(bass, tone).map { $0 + $1 }, right: zip(bass, tone).map { $1 - $0 })
        let worst = try #require(opposite.lowBandWorstCorrelation)
        #expect(worst < -0.95, "worst low-band correlation \(worst)")

        let unrelated = Self.meter(
            left: SignalGenerator.noise(frameCount: count, amplitude: 0.2, seed: 5),
            right: SignalGenerator.noise(frameCount: count, amplitude: 0.2, seed: 6))
        let stereo = Self.meter(left: SignalGenerator.noise(frameCount: count, amplitude: 0.2, seed: 5),
                                right: SignalGenerator.noise(frameCount: count, amplitude: 0.2, seed: 5))
        let lostUnrelated = try #require(Self.loudness(SignalGenerator.noise(frameCount: count, amplitude: 0.2, seed: 5),
                                                       SignalGenerator.noise(frameCount: count, amplitude: 0.2, seed: 6)))
            - (unrelated.monoLUFS ?? 0)
        #expect(abs(lostUnrelated - 3.01) < 0.1, "unrelated channels lose \(lostUnrelated) LU in mono")
        let same = SignalGenerator.noise(frameCount: count, amplitude: 0.2, seed: 5)
        #expect(abs((Self.loudness(same, same) ?? 0) - (stereo.monoLUFS ?? 0)) < 0.05, "identical channels lose nothing")
    }

    /// libebur128's integrated loudness of a stereo pair.
    static func loudness(_ left: [Float], _ right: [Float]) -> Double? {
        let meter = LoudnessMeter(channelCount: 2, sampleRate: 48_000, measures: [.integrated])!
        let interleaved = SignalGenerator.interleave([left, right])
        interleaved.withUnsafeBufferPointer { meter.add(interleaved: $0.baseAddress!, frameCount: left.count) }
        return meter.integratedLUFS
    }

    @Test("on the demo mixed plainly, the balance figures are libebur128's on the stems as mixed, and the master's are the written file's")
    func againstIndependentReadings() async throws {
        let mix = try await MixFixtures.render(MixFixtures.demoStems, basic: true)
        let report = mix.summary.quality
        // The stems as the plain mix sums them: each at its fader (mono stems on both channels).
        var groups = (mix: ([Float](), [Float]()), lead: ([Float](), [Float]()), vocals: ([Float](), [Float]()), rest: ([Float](), [Float]()))
        func add(_ channels: [[Float]], gain: Float, to sum: inout ([Float], [Float])) {
            let (left, right) = (channels[0], channels.count > 1 ? channels[1] : channels[0])
            let count = max(sum.0.count, left.count)
            sum.0 += [Float](repeating: 0, count: count - sum.0.count)
            sum.1 += [Float](repeating: 0, count: count - sum.1.count)
            for i in left.indices {
                sum.0[i] += gain * left[i]
                sum.1[i] += gain * right[i]
            }
        }
        for track in mix.summary.tracks {
            let (channels, _) = try AudioFixture.read(MixFixtures.demoStems.appendingPathComponent(track.file))
            let gain = Float(pow(10, (track.faderDB + track.userGainDB) / 20))
            add(channels, gain: gain, to: &groups.mix)
            if track.role == .lead { add(channels, gain: gain, to: &groups.lead) }
            if [.lead, .double, .harmony, .adlib].contains(track.role) { add(channels, gain: gain, to: &groups.vocals) }
            if track.role != .lead { add(channels, gain: gain, to: &groups.rest) }
        }
        let mixLUFS = try #require(Self.loudness(groups.mix.0, groups.mix.1))
        let expected = [
            "lead_re_mix_lu": try #require(Self.loudness(groups.lead.0, groups.lead.1)) - mixLUFS,
            "vocals_re_mix_lu": try #require(Self.loudness(groups.vocals.0, groups.vocals.1)) - mixLUFS,
            "lead_re_rest_lu": try #require(Self.loudness(groups.lead.0, groups.lead.1)) - (try #require(Self.loudness(groups.rest.0, groups.rest.1))),
        ]
        for (name, value) in expected {
            let reported = try #require(report[name]?.value, "\(name) missing")
            #expect(abs(reported - value) < 0.1, "\(name): reported \(reported), libebur128 \(value)")
        }

        // The written file, decoded.
        let (channels, _) = try AudioFixture.read(mix.destination.mixURL)
        let (left, right) = (channels[0].map(Double.init), channels[1].map(Double.init))
        let (ll, rr) = (left.map { $0 * $0 }.reduce(0, +), right.map { $0 * $0 }.reduce(0, +))
        let lr = zip(left, right).map { $0 * $1 }.reduce(0, +)
        let peak = max(left.map(abs).max()!, right.map(abs).max()!)
        let crest = 20 * log10(peak) - 10 * log10((ll + rr) / Double(2 * left.count))
        #expect(abs(try #require(report["crest_factor_db"]?.value) - crest) < 0.05)
        #expect(abs(try #require(report["side_mid_db"]?.value) - 10 * log10((ll + rr - 2 * lr) / (ll + rr + 2 * lr))) < 0.05)
        #expect(abs(try #require(report["correlation_mean"]?.value) - lr / (ll * rr).squareRoot()) < 0.005)
        let mid = zip(channels[0], channels[1]).map { 0.5 * ($0 + $1) }
        let monoLoss = try #require(Self.loudness(channels[0], channels[1])) - (try #require(Self.loudness(mid, mid)))
        #expect(abs(try #require(report["mono_loss_lu"]?.value) - monoLoss) < 0.1)
        let plr = try #require(mix.summary.truePeakDBTP) - (try #require(mix.summary.integratedLUFS))
        #expect(abs(try #require(report["plr_db"]?.value) - plr) < 0.01)
    }
}
