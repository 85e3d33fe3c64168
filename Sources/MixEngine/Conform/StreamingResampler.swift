import CSoxr

/// A streaming sample-rate converter on libsoxr at its very-high-quality setting
/// (`SOXR_VHQ`: 28-bit precision, linear phase), for interleaved float audio.
///
/// soxr removes its own filter delay: output frame 0 is input time 0, so leading silence and
/// timing survive the conversion.
public final class StreamingResampler {
    public let inputRate: Int
    public let outputRate: Int
    public let channelCount: Int
    private let handle: soxr_t

    public init(inputRate: Int, outputRate: Int, channelCount: Int) throws {
        var error: soxr_error_t?
        var quality = soxr_quality_spec(UInt(SOXR_VHQ), 0)
        var io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I)
        guard let handle = soxr_create(
            Double(inputRate), Double(outputRate), UInt32(channelCount), &error, &io, &quality, nil),
            error == nil
        else {
            throw InputRejection("cannot resample \(inputRate) Hz to \(outputRate) Hz: \(error.map { String(cString: $0) } ?? "soxr failed")")
        }
        self.handle = handle
        self.inputRate = inputRate
        self.outputRate = outputRate
        self.channelCount = channelCount
    }

    deinit {
        soxr_delete(handle)
    }

    /// The exact length a stream of `inputFrameCount` frames has after conversion: the input's
    /// duration at the output rate, rounded to the nearest frame.
    public static func outputFrameCount(forInputFrameCount inputFrameCount: Int64, inputRate: Int, outputRate: Int) -> Int64 {
        guard inputRate != outputRate else { return inputFrameCount }
        let product = inputFrameCount * Int64(outputRate)
        return (product + Int64(inputRate) / 2) / Int64(inputRate)
    }

    /// Converts up to `inputFrameCount` interleaved frames (nil input: end of stream, drain
    /// what is held). Returns the input frames consumed and the output frames written.
    public func process(
        input: UnsafePointer<Float>?, inputFrameCount: Int,
        output: UnsafeMutablePointer<Float>, outputCapacity: Int
    ) -> (consumed: Int, produced: Int) {
        var consumed = 0
        var produced = 0
        _ = soxr_process(handle, input, input == nil ? 0 : inputFrameCount, &consumed, output, outputCapacity, &produced)
        return (consumed, produced)
    }
}
