/// Mid/side width: the side signal scaled by `width` (0: mono, 1: unchanged, 2: twice as wide).
/// `L = M + w·S`, `R = M − w·S` with `M = (L + R)/2`, `S = (L − R)/2`. Width changes ramp.
public final class StereoWidener: AudioProcessor {
    /// The widener's settings.
    public struct Settings: Sendable, Equatable, Codable {
        public var width: Double

        public init(width: Double = 1) {
            self.width = width
        }

        public func validate() throws {
            try SettingsError.check(width, "width", in: 0...2)
        }
    }

    public private(set) var settings: Settings
    private var width: RampedValue

    public init(_ settings: Settings = Settings()) throws {
        try settings.validate()
        self.settings = settings
        width = RampedValue(Float(settings.width))
    }

    /// Changes the width (validated first); the change ramps.
    public func update(_ newSettings: Settings) throws {
        try newSettings.validate()
        settings = newSettings
        width.setTarget(Float(newSettings.width))
    }

    public func prepare(_ spec: ProcessSpec) {
        width.prepare(sampleRate: spec.sampleRate, rampMs: 20)
        reset()
    }

    public func reset() {
        width.settle()
    }

    public func process(_ block: AudioBlock) {
        guard block.channelCount == 2 else { return }
        var width = self.width
        for i in 0..<block.frameCount {
            let w = width.next()
            let mid = 0.5 * (block.left[i] + block.right[i])
            let side = 0.5 * (block.left[i] - block.right[i]) * w
            block.left[i] = mid + side
            block.right[i] = mid - side
        }
        self.width = width
    }
}
