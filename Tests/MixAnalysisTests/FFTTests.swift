import Foundation
import MixAnalysis
import MixTestSupport
import Testing

@Suite("FFT against the direct DFT")
struct FFTTests {
    @Test("every bin within 1e-5 of the DFT (relative to the largest)", arguments: [64, 1000, 4096])
    func againstDFT(size: Int) {
        let signal = zip(SignalGenerator.noise(frameCount: size, amplitude: 0.5, seed: UInt64(size)),
                         SignalGenerator.sine(frequencyHz: 1234, sampleRate: 48_000, frameCount: size, amplitude: 0.4)).map { $0 + $1 }
        let fft = RealFFT(size: size)
        var real = [Float](repeating: 0, count: fft.binCount), imaginary = real
        signal.withUnsafeBufferPointer { s in
            real.withUnsafeMutableBufferPointer { r in
                imaginary.withUnsafeMutableBufferPointer { i in fft.forward(s.baseAddress!, real: r.baseAddress!, imaginary: i.baseAddress!) }
            }
        }
        let reference = DirectDFT.transform(signal)
        let largest = reference.map { ($0.0 * $0.0 + $0.1 * $0.1).squareRoot() }.max()!
        var worst = 0.0
        for bin in 0..<fft.binCount {
            let error = ((Double(real[bin]) - reference[bin].0) * (Double(real[bin]) - reference[bin].0)
                + (Double(imaginary[bin]) - reference[bin].1) * (Double(imaginary[bin]) - reference[bin].1)).squareRoot()
            worst = max(worst, error / largest)
        }
        #expect(worst <= 1e-5, "relative error \(worst)")
    }
}

@Suite("Spectrum, scope and level meters")
struct MeterTests {
    static let rate = 48_000.0

    static func spectrum(of samples: [Float], fftSize: Int = 4096) -> [Float] {
        let analyzer = SpectrumAnalyzer(sampleRate: rate, fftSize: fftSize)
        samples.withUnsafeBufferPointer { analyzer.add($0) }
        var bands = [Float](repeating: 0, count: SpectrumAnalyzer.bandCount)
        bands.withUnsafeMutableBufferPointer { analyzer.spectrum(into: $0.baseAddress!) }
        return bands
    }

    @Test("256 log-spaced bands from 20 Hz to 20 kHz; a full-scale sine on a bin reads 0 dB in its band")
    func spectrumLevels() {
        let analyzer = SpectrumAnalyzer(sampleRate: Self.rate)
        #expect(analyzer.bandCentersHz.count == 256)
        #expect(abs(analyzer.bandCentersHz.first! - 20 * pow(1000, 0.5 / 256)) < 1e-9)
        #expect(abs(analyzer.bandCentersHz.last! - 20_000 / pow(1000, 0.5 / 256)) < 1e-6)
        let onBin = 86 * Self.rate / 4096  // 1007.8 Hz, exactly on an FFT bin
        let bands = Self.spectrum(of: SignalGenerator.sine(frequencyHz: onBin, sampleRate: Self.rate, frameCount: 8192, amplitude: 1))
        let band = analyzer.bandCentersHz.indices.min { abs(log(analyzer.bandCentersHz[$0] / onBin)) < abs(log(analyzer.bandCentersHz[$1] / onBin)) }!
        #expect(abs(bands[band]) < 0.01)
        #expect(bands[band] == bands.max())
        #expect(bands[0] < -60 && bands[255] < -60)
    }

    @Test("two tones 20 dB apart read 20 dB apart; silence reads the floor")
    func relativeLevels() {
        let a = SignalGenerator.sine(frequencyHz: 86 * Self.rate / 4096, sampleRate: Self.rate, frameCount: 8192, amplitude: 0.5)
        let b = SignalGenerator.sine(frequencyHz: 700 * Self.rate / 4096, sampleRate: Self.rate, frameCount: 8192, amplitude: 0.05)
        let bands = Self.spectrum(of: zip(a, b).map { $0 + $1 })
        let sorted = bands.sorted(by: >)
        #expect(abs((sorted[0] - 20) - bands.filter { $0 > sorted[0] - 25 && $0 < sorted[0] - 15 }.max()!) < 0.1)
        #expect(Self.spectrum(of: [Float](repeating: 0, count: 4096)).allSatisfy { $0 == SpectrumAnalyzer.floorDB })
    }

    @Test("correlation: identical +1, inverted −1, independent ≈ 0; 512 waveform points, 512 goniometer pairs")
    func scope() {
        let noise = SignalGenerator.noise(frameCount: 4800, amplitude: 0.5, seed: 5)
        let other = SignalGenerator.noise(frameCount: 4800, amplitude: 0.5, seed: 6)
        func snapshot(_ left: [Float], _ right: [Float]) -> ScopeSnapshot {
            let scope = Scope(capacity: 4800)
            left.withUnsafeBufferPointer { l in right.withUnsafeBufferPointer { r in
                scope.add(left: l.baseAddress!, right: r.baseAddress!, frameCount: l.count)
            } }
            return scope.snapshot()
        }
        let same = snapshot(noise, noise)
        #expect(abs(same.correlation - 1) < 1e-6)
        #expect(same.waveform.count == 512 && same.goniometer.count == 1024)
        #expect(stride(from: 1, to: 1024, by: 2).allSatisfy { abs(same.goniometer[$0]) < 1e-7 }, "identical channels have no side")
        #expect(abs(snapshot(noise, noise.map { -$0 }).correlation + 1) < 1e-6)
        #expect(abs(snapshot(noise, other).correlation) < 0.05)
        #expect(snapshot([Float](repeating: 0, count: 600), [Float](repeating: 0, count: 600)).correlation == 0)
        // A snapshot with nothing new since the last one is flat, not the old frame repeated.
        let scope = Scope(capacity: 4800)
        noise.withUnsafeBufferPointer { scope.add(left: $0.baseAddress!, right: $0.baseAddress!, frameCount: 4800) }
        _ = scope.snapshot()
        #expect(scope.snapshot().waveform.allSatisfy { $0 == 0 })
    }

    @Test("levels: a −6 dBFS sine has RMS −9.03 dBFS; an fs/4 sine at 45° has its true peak 3 dB over its samples")
    func levels() {
        let meter = LevelMeter()
        let sine = SignalGenerator.sine(frequencyHz: 1000, sampleRate: Self.rate, frameCount: 48_000, amplitude: 0.5)
        sine.withUnsafeBufferPointer { meter.add(left: $0.baseAddress!, right: $0.baseAddress!, frameCount: $0.count) }
        let reading = meter.read()
        #expect(abs(reading.rmsDB + 9.031) < 0.01)
        #expect(abs(reading.samplePeakDB + 6.021) < 0.01)
        #expect(reading.truePeakDB >= reading.samplePeakDB && reading.truePeakDB < -6.0)
        let isp = SignalGenerator.sine(frequencyHz: 12_000, sampleRate: Self.rate, frameCount: 48_000, amplitude: 1, phase: Double.pi / 4)
        let tapered = isp.enumerated().map { index, x in x * Float(min(1, Double(min(index, isp.count - 1 - index)) / 480)) }
        tapered.withUnsafeBufferPointer { meter.add(left: $0.baseAddress!, right: $0.baseAddress!, frameCount: $0.count) }
        let hot = meter.read()
        #expect(abs(hot.samplePeakDB + 3.01) < 0.01)
        #expect(abs(hot.truePeakDB) < 0.05)
        #expect(meter.read().rmsDB == LevelMeter.floorDB)
    }
}
