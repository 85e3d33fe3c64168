/// The integer codes of a dithered mix and what a decoder makes of them. The dither leaves
/// every sample on the output's grid (`code / 2^(bits−1)`); the writer is handed the codes
/// themselves, left-justified in 32 bits, so the file holds exactly them, and the check meters
/// what any decoder returns for them (`code / 2^(bits−1)` as a float, exact for 16 and 24 bits).
struct PCMCodes {
    let bitDepth: Int
    private let scale: Float
    private let shift: Int32
    private let lowest: Float
    private let highest: Float

    init(bitDepth: Int) {
        precondition(bitDepth == 16 || bitDepth == 24)
        self.bitDepth = bitDepth
        scale = Float(1 << (bitDepth - 1))
        shift = Int32(32 - bitDepth)
        lowest = -scale
        highest = scale - 1
    }

    /// Codes (interleaved, left-justified) and their decoded values (interleaved) for
    /// `frameCount` stereo frames.
    func encode(
        left: UnsafePointer<Float>, right: UnsafePointer<Float>, frameCount: Int,
        codes: UnsafeMutablePointer<Int32>, decoded: UnsafeMutablePointer<Float>
    ) {
        let (scale, shift, lowest, highest) = (scale, shift, lowest, highest)
        let inverse = 1 / scale
        for i in 0..<frameCount {
            // On the grid already; rounding and clamping only make an off-grid value safe.
            let l = min(highest, max(lowest, (left[i] * scale).rounded()))
            let r = min(highest, max(lowest, (right[i] * scale).rounded()))
            codes[2 * i] = Int32(l) << shift
            codes[2 * i + 1] = Int32(r) << shift
            decoded[2 * i] = l * inverse
            decoded[2 * i + 1] = r * inverse
        }
    }
}
