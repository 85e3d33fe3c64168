import Foundation
import MixAnalysis

/// A reference song, measured once: its integrated loudness and its long-term tonal balance
/// (the mid's spectrum at `ReferenceMatch.frequencies`, smoothed over a third of an octave).
/// Mixdown matches the master to it (`ReferenceMatch`); the song itself is not kept.
public struct ReferenceTrack: Sendable, Equatable {
    public var fileName: String
    public var loudnessLUFS: Double
    /// dB (unscaled) at each of `ReferenceMatch.frequencies`; nil where nothing was measured.
    public var spectrumDB: [Double?]

    /// The shortest reference worth matching: a few gating blocks and spectra are not a song.
    public static let minimumSeconds = 3.0

    public init(fileName: String, loudnessLUFS: Double, spectrumDB: [Double?]) {
        (self.fileName, self.loudnessLUFS, self.spectrumDB) = (fileName, loudnessLUFS, spectrumDB)
    }

    /// Decodes `url` (any format the stems may be in) and measures it. Throws `MixError.io`
    /// naming the file when it cannot be read, is shorter than `minimumSeconds`, or is silent.
    public static func analyze(url: URL) throws -> ReferenceTrack {
        let name = url.lastPathComponent
        let reader: SndFileReader
        do {
            reader = try SndFileReader(url: url)
        } catch {
            throw MixError.io("\(name): the reference cannot be read as audio (\(error))")
        }
        let channels = reader.channelCount
        let blockFrames = 8192
        let interleaved = UnsafeMutablePointer<Float>.allocate(capacity: blockFrames * channels)
        let left = UnsafeMutablePointer<Float>.allocate(capacity: blockFrames)
        let right = UnsafeMutablePointer<Float>.allocate(capacity: blockFrames)
        let mid = UnsafeMutablePointer<Float>.allocate(capacity: blockFrames)
        defer {
            interleaved.deallocate()
            left.deallocate()
            right.deallocate()
            mid.deallocate()
        }
        let loudness = GatedLoudnessMeter(sampleRate: reader.sampleRate)
        let spectrum = LongTermSpectrum(sampleRate: Double(reader.sampleRate))
        var frameCount = 0
        while true {
            let n = reader.read(into: interleaved, frameCount: blockFrames)
            guard n > 0 else { break }
            for i in 0..<n {
                // Mono on both sides; of more channels, the front pair.
                let l = interleaved[i * channels], r = channels > 1 ? interleaved[i * channels + 1] : l
                left[i] = l
                right[i] = r
                mid[i] = 0.5 * (l + r)
            }
            loudness.add(left: left, right: right, frameCount: n)
            spectrum.add(UnsafeBufferPointer(start: mid, count: n))
            frameCount += n
        }
        guard Double(frameCount) >= minimumSeconds * Double(reader.sampleRate) else {
            throw MixError.io("\(name): the reference is shorter than \(Int(minimumSeconds)) s")
        }
        guard let lufs = loudness.integratedLUFS else { throw MixError.io("\(name): the reference is silent") }
        return ReferenceTrack(
            fileName: name, loudnessLUFS: lufs,
            spectrumDB: spectrum.smoothedDB(at: ReferenceMatch.frequencies, octaves: ReferenceMatch.smoothingOctaves))
    }
}
