import Foundation

/// The ballistics of a level detector, in the decibel domain: a branching one-pole that rises
/// with `attackMs` and falls with `releaseMs`. Each is a time constant: after a step, the
/// detected level covers 1 − 1/e (63.2 %) of the step's size in decibels in that time.
/// In RMS mode the signal's mean square is first averaged over `rmsWindowMs`.
public struct LevelDetector: Sendable {
    /// Peak follows |x|; RMS follows the mean square over a window.
    public enum Mode: String, Sendable, Codable {
        case peak, rms
    }

    public var mode: Mode
    public private(set) var attackMs: Double
    public private(set) var releaseMs: Double
    public private(set) var rmsWindowMs: Double
    @usableFromInline var attackCoefficient: Float = 0
    @usableFromInline var releaseCoefficient: Float = 0
    @usableFromInline var rmsCoefficient: Float = 0
    @usableFromInline var meanSquare: Float = 0
    /// The detected level in dB.
    @usableFromInline var levelDB: Float = -200

    public init(mode: Mode = .peak, attackMs: Double, releaseMs: Double, rmsWindowMs: Double = 10) {
        self.mode = mode
        self.attackMs = attackMs
        self.releaseMs = releaseMs
        self.rmsWindowMs = rmsWindowMs
    }

    /// The one-pole coefficient for a time constant: exp(−1 / (τ · rate)).
    public static func coefficient(timeMs: Double, sampleRate: Double) -> Float {
        timeMs <= 0 ? 0 : Float(exp(-1 / (timeMs / 1000 * sampleRate)))
    }

    /// Derives the coefficients for `sampleRate` (call in `prepare` and when times change).
    public mutating func prepare(sampleRate: Double) {
        attackCoefficient = Self.coefficient(timeMs: attackMs, sampleRate: sampleRate)
        releaseCoefficient = Self.coefficient(timeMs: releaseMs, sampleRate: sampleRate)
        rmsCoefficient = Self.coefficient(timeMs: rmsWindowMs, sampleRate: sampleRate)
    }

    /// Changes the times; `prepare` must follow for them to take effect.
    public mutating func setTimes(attackMs: Double, releaseMs: Double) {
        self.attackMs = attackMs
        self.releaseMs = releaseMs
    }

    public mutating func reset() {
        meanSquare = 0
        levelDB = -200
    }

    /// The current detected level in dB.
    public var currentLevelDB: Float { levelDB }

    /// Feeds one sample's magnitude (|x|, or the larger of a stereo pair) and returns the
    /// detected level in dB.
    @inlinable @inline(__always)
    public mutating func next(magnitude: Float) -> Float {
        let inputDB: Float
        if mode == .peak {
            inputDB = FastMath.decibels(magnitude)
        } else {
            meanSquare = rmsCoefficient * meanSquare + (1 - rmsCoefficient) * magnitude * magnitude
            inputDB = FastMath.decibels(meanSquare) * 0.5
        }
        levelDB = Ballistics.step(levelDB, toward: inputDB, coefficient: inputDB > levelDB ? attackCoefficient : releaseCoefficient)
        return levelDB
    }
}
