/// The contract every processor keeps (JUCE's dsp module, pedalboard):
///
/// - `prepare(_:)` allocates and sizes everything for a `ProcessSpec`;
/// - `reset()` clears the state (filters, envelopes, delay lines) and keeps the settings;
/// - `process(_:)` works in place on a planar block of at most `maxFrameCount` frames; it never
///   throws, never allocates and takes no locks;
/// - `latencyFrames` is the delay the processor adds (lookahead), 0 for most.
///
/// Settings are value structs validated when set (`SettingsError` names the field and the rule)
/// and take effect at block boundaries; gain changes ramp.
public protocol AudioProcessor: AnyObject {
    /// Allocates and sizes the processor's state for `spec`; call before `process`.
    func prepare(_ spec: ProcessSpec)
    /// Clears the state (filter memories, envelopes, delay lines), keeping the settings.
    func reset()
    /// Processes `block` in place.
    func process(_ block: AudioBlock)
    /// Frames of delay the processor adds between its input and its output.
    var latencyFrames: Int { get }
}

extension AudioProcessor {
    public var latencyFrames: Int { 0 }
}
