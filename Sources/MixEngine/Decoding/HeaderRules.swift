/// Limits every container's header must respect before a decoder is trusted with it.
enum HeaderRules {
    /// Sample rates the engine takes (the session resamples everything to one of them).
    static let sampleRateRange = 8_000...384_000
    /// Channel layouts folded to stereo (ITU-R BS.775 up to 7.1).
    static let maxChannelCount = 8
    /// Chunks walked before the audio; real files have a handful (a million empty ones is an attack).
    static let maxChunkCount = 1000

    static func checkChannelCount(_ channelCount: Int) throws {
        if channelCount <= 0 {
            throw InputRejection("damaged header: it says the audio has \(channelCount) channels")
        }
        if channelCount > maxChannelCount {
            throw InputRejection(
                "too many channels: \(channelCount) (Mixdown takes 1 to \(maxChannelCount) channels and folds them to stereo)")
        }
    }

    static func checkSampleRate(_ sampleRate: Int) throws {
        guard sampleRateRange.contains(sampleRate) else {
            throw InputRejection(
                "unusable sample rate: \(sampleRate) Hz in its header (Mixdown takes 8 kHz to 384 kHz)")
        }
    }
}
