import Foundation
import MixDSP

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
    private let powers: UnsafeMutablePointer<Float>
    private let bandPowers: UnsafeMutablePointer<Float>
    /// For each band: the first and last FFT bin inside it (last < first when none is), and for
    /// a band with no bin, the bin below its centre and the centre's fraction of the way on.
    private let bandFirstBin: UnsafeMutablePointer<Int>
    private let bandLastBin: UnsafeMutablePointer<Int>
    private let bandBelowBin: UnsafeMutablePointer<Int>
    private let bandFraction: UnsafeMutablePointer<Float>

    public init(sampleRate: Double, fftSize: Int = 4096) {
        self.sampleRate = sampleRate
        self.fftSize = fftSize
        fft = RealFFT(size: fftSize)
        window = (0..<fftSize).map { Float(0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(fftSize))) }
        history = [Float](repeating: 0, count: fftSize)
        powers = .allocate(capacity: fftSize / 2 + 1)
        bandPowers = .allocate(capacity: Self.bandCount)
        let ratio = pow(Self.highestHz / Self.lowestHz, 1 / Double(Self.bandCount))
        let binHz = sampleRate / Double(fftSize)
        var first: [Int] = [], last: [Int] = [], centers: [Double] = [], below: [Int] = [], fractions: [Float] = []
        for band in 0..<Self.bandCount {
            let low = Self.lowestHz * pow(ratio, Double(band))
            let high = low * ratio
            let center = (low * high).squareRoot()
            centers.append(center)
            first.append(Int((low / binHz).rounded(.up)))
            last.append(min(fftSize / 2, Int((high / binHz).rounded(.down))))
            // Interpolation needs a bin on each side: the one under the centre and the next.
            let position = min(Double(fftSize / 2 - 1), center / binHz)
            below.append(Int(position))
            fractions.append(Float(position - Double(Int(position))))
        }
        bandCentersHz = centers
        bandFirstBin = Self.copy(first)
        bandLastBin = Self.copy(last)
        bandBelowBin = Self.copy(below)
        bandFraction = Self.copy(fractions)
    }

    deinit {
        powers.deallocate()
        bandPowers.deallocate()
        bandFirstBin.deallocate()
        bandLastBin.deallocate()
        bandBelowBin.deallocate()
        bandFraction.deallocate()
    }

    private static func copy<T>(_ values: [T]) -> UnsafeMutablePointer<T> {
        let pointer = UnsafeMutablePointer<T>.allocate(capacity: values.count)
        pointer.initialize(from: values, count: values.count)
        return pointer
    }

    /// The centre frequency of each band (geometric mean of its edges), as `bandCentersHz`.
    public static func bandCenters() -> [Double] {
        let ratio = pow(highestHz / lowestHz, 1 / Double(bandCount))
        return (0..<bandCount).map { lowestHz * pow(ratio, Double($0) + 0.5) }
    }

    /// The FFT bins' powers (unscaled: the same scale for every spectrum) from the last
    /// `spectrum(into:)`, bin `k` at `k × binHz`: for an owner that averages the long-term
    /// spectrum (a power spectral density, where the bands show each band's strongest bin).
    public var lastBinPowers: UnsafeBufferPointer<Float> { UnsafeBufferPointer(start: powers, count: fftSize / 2 + 1) }

    /// The spacing of the FFT bins, in Hz.
    public var binHz: Double { sampleRate / Double(fftSize) }

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
        let ordered = fft.inputBuffer
        history.withUnsafeBufferPointer { history in
            window.withUnsafeBufferPointer { window in
                // Oldest first: from the write position to the end, then from the start.
                let older = size - writeIndex
                Self.multiply(history.baseAddress! + writeIndex, window.baseAddress!, into: ordered, count: older)
                Self.multiply(history.baseAddress!, window.baseAddress! + older, into: ordered + older, count: writeIndex)
            }
        }
        let powers = self.powers
        fft.forwardPowers(into: powers)
        // Hann's coherent gain is 1/2: a sine of amplitude A peaks at A·N/4. Levels are found
        // as powers (the strongest bin's, or the magnitude interpolated at a narrow band's
        // centre, squared), and turned into dB eight bands at a time.
        let scale = 4 / Float(size)
        let powerScale = scale * scale
        for band in 0..<Self.bandCount {
            let first = bandFirstBin[band], last = bandLastBin[band]
            var power: Float = 0
            if last >= first {
                for bin in first...last { power = max(power, powers[bin]) }
            } else {
                let below = bandBelowBin[band]
                let (low, high) = (powers[below].squareRoot(), powers[below + 1].squareRoot())
                let level = low + bandFraction[band] * (high - low)
                power = level * level
            }
            bandPowers[band] = power * powerScale
        }
        // 20·log10(amplitude) = 10·log10(power); under 1e-6 of full scale (−120 dB) is the floor.
        let floor = SIMD8<Float>(repeating: Self.floorDB)
        for band in stride(from: 0, to: Self.bandCount, by: 8) {
            let power = UnsafeRawPointer(bandPowers + band).loadUnaligned(as: SIMD8<Float>.self)
            var level = FastMath.decibels(power) * 0.5
            level.replace(with: floor, where: power .<= 1e-12 .| level .< floor)
            UnsafeMutableRawPointer(bands + band).storeBytes(of: level, as: SIMD8<Float>.self)
        }
    }

    /// `out[i] = a[i] · b[i]`, eight at a time (the compiler cannot tell the buffers apart, and
    /// left the loop one sample at a time).
    private static func multiply(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, count: Int
    ) {
        var i = 0
        while i + 8 <= count {
            let product = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self)
                * UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(out + i).storeBytes(of: product, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            out[i] = a[i] * b[i]
            i += 1
        }
    }
}
