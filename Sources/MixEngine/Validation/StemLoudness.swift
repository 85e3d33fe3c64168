import MixAnalysis
import MixDSP

/// A stem's integrated loudness, measured by the meter the scan was asked for
/// (`StemLoudnessMeter`) from the decoder's interleaved blocks.
final class StemLoudness {
    private enum Meter {
        case reference(LoudnessMeter)
        /// The engine's stereo meter, with its two channels as planar buffers (a mono stem's
        /// right channel stays silent, so it counts once, as BS.1770 counts a mono file).
        case engine(GatedLoudnessMeter, left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>)
    }

    private let meter: Meter
    private let channelCount: Int

    init(meter choice: StemLoudnessMeter, layout: ChannelLayout, sampleRate: Int, maxFrameCount: Int) throws {
        channelCount = layout.positions.count
        // Surround files, and rates under the engine meter's 8 kHz, go to libebur128.
        if choice == .engine, channelCount <= 2, sampleRate >= 8000 {
            let left = UnsafeMutablePointer<Float>.allocate(capacity: maxFrameCount)
            let right = UnsafeMutablePointer<Float>.allocate(capacity: maxFrameCount)
            right.initialize(repeating: 0, count: maxFrameCount)
            meter = .engine(GatedLoudnessMeter(sampleRate: sampleRate), left: left, right: right)
        } else {
            meter = try Self.reference(layout: layout, sampleRate: sampleRate)
        }
    }

    private static func reference(layout: ChannelLayout, sampleRate: Int) throws -> Meter {
        guard let meter = LoudnessMeter(channelCount: layout.positions.count, sampleRate: sampleRate) else {
            throw InputRejection("unusable sample rate: \(sampleRate) Hz")
        }
        meter.setChannelPositions(layout.positions)
        return .reference(meter)
    }

    deinit {
        if case .engine(_, let left, let right) = meter {
            left.deallocate()
            right.deallocate()
        }
    }

    /// Adds `frameCount` interleaved frames (at most the `maxFrameCount` given at init).
    func add(_ interleaved: UnsafePointer<Float>, frameCount: Int) {
        switch meter {
        case .reference(let meter):
            meter.add(interleaved: interleaved, frameCount: frameCount)
        case .engine(let meter, let left, let right):
            if channelCount == 1 {
                meter.add(left: interleaved, right: right, frameCount: frameCount)
            } else {
                for i in 0..<frameCount {
                    left[i] = interleaved[2 * i]
                    right[i] = interleaved[2 * i + 1]
                }
                meter.add(left: left, right: right, frameCount: frameCount)
            }
        }
    }

    /// Gated integrated loudness, LUFS; nil for silence or audio under 400 ms.
    var integratedLUFS: Double? {
        switch meter {
        case .reference(let meter): return meter.integratedLUFS
        case .engine(let meter, _, _): return meter.integratedLUFS
        }
    }
}
