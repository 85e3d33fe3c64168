import MixDSP

/// Levels between display frames: RMS, sample peak and true peak (4× oversampled, BS.1770-4
/// Annex 2), in dBFS over both channels. Fixed memory; `add` allocates nothing.
public final class LevelMeter {
    /// The levels since the last reading, in dBFS (−∞ becomes `floorDB`).
    public struct Reading: Sendable, Equatable {
        public var rmsDB: Float
        public var samplePeakDB: Float
        public var truePeakDB: Float
    }

    public static let floorDB: Float = -120

    private var detectors = (TruePeakDetector(), TruePeakDetector())
    private var sumSquares: Double = 0
    private var count = 0
    private var samplePeak: Float = 0
    private var truePeak: Float = 0

    public init() {}

    deinit {
        detectors.0.deallocate()
        detectors.1.deallocate()
    }

    /// Adds a stereo block.
    public func add(left: UnsafePointer<Float>, right: UnsafePointer<Float>, frameCount: Int) {
        var squares: Double = 0
        for i in 0..<frameCount {
            let (l, r) = (left[i], right[i])
            squares += Double(l * l + r * r)
            samplePeak = max(samplePeak, max(abs(l), abs(r)))
            truePeak = max(truePeak, max(detectors.0.push(l), detectors.1.push(r)))
        }
        sumSquares += squares
        count += 2 * frameCount
    }

    /// The reading since the last one, then starts a new period (the true-peak filters keep
    /// their history, so a peak straddling two periods is not lost).
    public func read() -> Reading {
        func decibels(_ amplitude: Double) -> Float {
            amplitude > 0 ? max(Self.floorDB, Float(Decibels.fromAmplitude(amplitude))) : Self.floorDB
        }
        let reading = Reading(
            rmsDB: decibels(count > 0 ? (sumSquares / Double(count)).squareRoot() : 0),
            samplePeakDB: decibels(Double(samplePeak)), truePeakDB: decibels(Double(max(truePeak, samplePeak))))
        sumSquares = 0
        count = 0
        samplePeak = 0
        truePeak = 0
        return reading
    }
}
