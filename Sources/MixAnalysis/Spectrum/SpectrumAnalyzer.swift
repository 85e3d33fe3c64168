import Foundation

/// A spectrum for the meters: the newest `fftSize` samples, Hann-windowed, through an FFT,
/// read into 256 log-spaced bands from 20 Hz to 20 kHz in dB (a full-scale sine on an FFT bin
/// reads 0 dB; between bins up to 1.4 dB less, the Hann window's scalloping).
/// Each band shows the strongest FFT bin inside it; a band narrower than a bin (the low end)
/// reads the magnitude interpolated at its centre. Memory is fixed; `spectrum` allocates nothing.
public final class SpectrumAnalyzer {
    public static let bandCount = 256
    public static let lowestHz = 20.0
    public static let highestHz = 20_000.0
    /// The value shown for silence.
    public static let floorDB: Float = -120

    public let sampleRate: Double
    public let fftSize: Int
    /// Centre frequency of each band (geometric).
    public let bandCentersHz: [Double]

    private let fft: RealFFT
    private let window: [Float]
    private var history: [Float]
    private var writeIndex = 0
    private var ordered: [Float]
    private var magnitudes: [Float]
    /// For each band: the first and last FFT bin inside it (last < first when none is), and
    /// the fractional bin of its centre.
    private let bandFirstBin: [Int]
    private let bandLastBin: [Int]
    private let bandCenterBin: [Double]

    public init(sampleRate: Double, fftSize: Int = 4096) {
        self.sampleRate = sampleRate
        self.fftSize = fftSize
        fft = RealFFT(size: fftSize)
        window = (0..<fftSize).map { Float(0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(fftSize))) }
        history = [Float](repeating: 0, count: fftSize)
        ordered = [Float](repeating: 0, count: fftSize)  // its own storage: no copy on first write
        magnitudes = [Float](repeating: 0, count: fftSize / 2 + 1)
        let ratio = pow(Self.highestHz / Self.lowestHz, 1 / Double(Self.bandCount))
        let binHz = sampleRate / Double(fftSize)
        var first: [Int] = [], last: [Int] = [], centers: [Double] = [], centerBins: [Double] = []
        for band in 0..<Self.bandCount {
            let low = Self.lowestHz * pow(ratio, Double(band))
            let high = low * ratio
            let center = (low * high).squareRoot()
            centers.append(center)
            first.append(Int((low / binHz).rounded(.up)))
            last.append(min(fftSize / 2, Int((high / binHz).rounded(.down))))
            centerBins.append(min(Double(fftSize / 2), center / binHz))
        }
        bandCentersHz = centers
        bandFirstBin = first
        bandLastBin = last
        bandCenterBin = centerBins
    }

    /// The centre frequency of each band (geometric mean of its edges), as `bandCentersHz`.
    public static func bandCenters() -> [Double] {
        let ratio = pow(highestHz / lowestHz, 1 / Double(bandCount))
        return (0..<bandCount).map { lowestHz * pow(ratio, Double($0) + 0.5) }
    }

    /// Pushes mono samples (the caller mixes stereo to mid).
    public func add(_ samples: UnsafeBufferPointer<Float>) {
        guard let base = samples.baseAddress else { return }
        // Only the newest `fftSize` samples can matter.
        var offset = max(0, samples.count - fftSize)
        history.withUnsafeMutableBufferPointer { history in
            while offset < samples.count {
                let n = min(samples.count - offset, fftSize - writeIndex)
                (history.baseAddress! + writeIndex).update(from: base + offset, count: n)
                writeIndex = (writeIndex + n) % fftSize
                offset += n
            }
        }
    }

    /// Writes the 256 band levels (dB) of the newest `fftSize` samples into `bands`.
    public func spectrum(into bands: UnsafeMutablePointer<Float>) {
        let size = fftSize
        ordered.withUnsafeMutableBufferPointer { ordered in
            history.withUnsafeBufferPointer { history in
                window.withUnsafeBufferPointer { window in
                    // Oldest first: from the write position to the end, then from the start.
                    let older = size - writeIndex
                    for i in 0..<older { ordered[i] = history[writeIndex + i] * window[i] }
                    for i in 0..<writeIndex { ordered[older + i] = history[i] * window[older + i] }
                }
            }
            magnitudes.withUnsafeMutableBufferPointer { fft.magnitudes(ordered.baseAddress!, into: $0.baseAddress!) }
        }
        // Hann's coherent gain is 1/2: a sine of amplitude A peaks at A·N/4.
        let scale = 4 / Float(size)
        magnitudes.withUnsafeBufferPointer { magnitudes in
            for band in 0..<Self.bandCount {
                var level: Float = 0
                if bandLastBin[band] >= bandFirstBin[band] {
                    for bin in bandFirstBin[band]...bandLastBin[band] { level = max(level, magnitudes[bin]) }
                } else {
                    let position = bandCenterBin[band]
                    let below = Int(position)
                    let above = min(below + 1, size / 2)
                    let fraction = Float(position - Double(below))
                    level = magnitudes[below] + fraction * (magnitudes[above] - magnitudes[below])
                }
                let amplitude = level * scale
                bands[band] = amplitude > 1e-6 ? max(Self.floorDB, 20 * log10(amplitude)) : Self.floorDB
            }
        }
    }
}
