/// What a file's header says about its audio, checked for sense but not yet decoded.
struct DeclaredStream: Sendable {
    var format: AudioFormat
    var channelCount: Int
    var sampleRate: Int
    /// Frames the header promises; nil when the container does not say (MP3, Ogg, a WAV
    /// streamed with an unknown length, a FLAC without a total).
    var declaredFrameCount: Int64?
    /// Frames whose bytes are really in the file (WAV and AIFF, where that can be counted).
    var presentFrameCount: Int64?
    /// Oddities that do not stop the file from being used ("the RIFF size is wrong").
    var notes: [String] = []
}
