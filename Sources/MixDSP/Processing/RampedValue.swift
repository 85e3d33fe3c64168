/// A value that moves to a new target in a straight line over a fixed time, one step per
/// sample, so gain changes never click. Steps are per sample, not per block: the output does
/// not depend on how the audio is cut into blocks.
public struct RampedValue: Sendable {
    @usableFromInline var current: Float
    @usableFromInline var target: Float
    @usableFromInline var step: Float = 0
    @usableFromInline var stepsLeft = 0
    @usableFromInline var rampFrameCount = 1

    public init(_ value: Float) {
        current = value
        target = value
    }

    /// Sets the ramp length for `sampleRate`.
    public mutating func prepare(sampleRate: Double, rampMs: Double) {
        rampFrameCount = max(1, Int(sampleRate * rampMs / 1000))
    }

    /// Starts moving toward `value`.
    public mutating func setTarget(_ value: Float) {
        guard value != target else { return }
        target = value
        stepsLeft = rampFrameCount
        step = (target - current) / Float(rampFrameCount)
    }

    /// Jumps to the target (on reset).
    public mutating func settle() {
        current = target
        stepsLeft = 0
    }

    /// Whether a ramp is under way.
    @inlinable public var isRamping: Bool { stepsLeft > 0 }

    /// The value for the next sample.
    @inlinable @inline(__always)
    public mutating func next() -> Float {
        guard stepsLeft > 0 else { return current }
        stepsLeft -= 1
        current = stepsLeft == 0 ? target : current + step
        return current
    }

    /// The value now.
    @inlinable public var value: Float { current }
}
