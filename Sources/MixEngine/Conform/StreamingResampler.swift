import CSoxr

/// A streaming sample-rate converter on libsoxr at its very-high-quality setting
/// (`SOXR_VHQ`: 28-bit precision, linear phase), for stereo float audio in planar buffers
/// (soxr's split I/O, so the conform path never interleaves).
///
/// soxr removes its own filter delay: output frame 0 is input time 0, so leading silence and
/// timing survive the conversion.
public final class StreamingResampler {
    public let inputRate: Int
    public let outputRate: Int
    private let handle: soxr_t

    public init(inputRate: Int, outputRate: Int) throws {
        var error: soxr_error_t?
        var quality = soxr_quality_spec(UInt(SOXR_VHQ), 0)
        var io = soxr_io_spec(SOXR_FLOAT32_S, SOXR_FLOAT32_S)
        guard let handle = soxr_create(
            Double(inputRate), Double(outputRate), 2, &error, &io, &quality, nil),
            error == nil
        else {
            throw InputRejection("cannot resample \(inputRate) Hz to \(outputRate) Hz: \(error.map { String(cString: $0) } ?? "soxr failed")")
        }
        self.handle = handle
        self.inputRate = inputRate
        self.outputRate = outputRate
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

    /// Converts up to `frameCount` frames of `left` and `right` into `outputLeft` and
    /// `outputRight` (room for `outputCapacity` frames each). Returns the input frames consumed
    /// and the output frames written.
    public func process(
        left: UnsafePointer<Float>, right: UnsafePointer<Float>, frameCount: Int,
        outputLeft: UnsafeMutablePointer<Float>, outputRight: UnsafeMutablePointer<Float>, outputCapacity: Int
    ) -> (consumed: Int, produced: Int) {
        // Split I/O takes an array of one pointer a channel; a tuple on the stack holds them.
        var inputs = (UnsafeRawPointer(left), UnsafeRawPointer(right))
        return withUnsafePointer(to: &inputs) {
            run(inputs: UnsafeRawPointer($0), frameCount: frameCount, outputLeft: outputLeft, outputRight: outputRight, outputCapacity: outputCapacity)
        }
    }

    /// At the end of the stream: writes up to `outputCapacity` frames of what soxr still holds;
    /// returns how many (0 once it is empty).
    public func drain(
        outputLeft: UnsafeMutablePointer<Float>, outputRight: UnsafeMutablePointer<Float>, outputCapacity: Int
    ) -> Int {
        run(inputs: nil, frameCount: 0, outputLeft: outputLeft, outputRight: outputRight, outputCapacity: outputCapacity).produced
    }

    private func run(
        inputs: UnsafeRawPointer?, frameCount: Int,
        outputLeft: UnsafeMutablePointer<Float>, outputRight: UnsafeMutablePointer<Float>, outputCapacity: Int
    ) -> (consumed: Int, produced: Int) {
        var consumed = 0
        var produced = 0
        var outputs = (UnsafeMutableRawPointer(outputLeft), UnsafeMutableRawPointer(outputRight))
        _ = withUnsafeMutablePointer(to: &outputs) {
            soxr_process(handle, inputs, frameCount, &consumed, UnsafeMutableRawPointer($0), outputCapacity, &produced)
        }
        return (consumed, produced)
    }
}
