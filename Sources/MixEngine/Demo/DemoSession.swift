import Foundation

/// The demo session `mixdown demo` writes: about 21 s at 90 BPM in A minor, five stems named
/// as a producer would name them, 24-bit WAV at 48 kHz. Deterministic: the same bytes each time.
public enum DemoSession {
    public static let sampleRate = 48_000
    static let bpm = 90.0
    static let barCount = 8
    static let tailSeconds = 0.6

    /// The stems and their file names.
    public static let fileNames = [
        "Lead Vox.wav", "Lead Vox Dbl.wav", "Harm High.wav", "Adlibs.wav", "Beat (prod. Mixdown).wav",
    ]

    /// Writes the session into `folder` (created if needed) and returns the files written.
    /// A folder holding anything but an earlier demo is refused: nothing of the user's is
    /// ever overwritten. `progress` gets the share done.
    @discardableResult
    public static func write(to folder: URL, progress: ((Double) -> Void)? = nil) throws -> [URL] {
        if let existing = try? FileManager.default.contentsOfDirectory(atPath: folder.path) {
            let foreign = existing.filter { !fileNames.contains($0) }.sorted()
            guard foreign.isEmpty else {
                throw InputRejection(
                    "\(folder.path): the folder already holds other files (\(foreign.prefix(3).joined(separator: ", "))\(foreign.count > 3 ? ", …" : "")); choose a new or empty folder with --out")
            }
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let beatSeconds = 60 / bpm
        let frameCount = Int((Double(barCount * 4) * beatSeconds + tailSeconds) * Double(sampleRate))
        let rate = Double(sampleRate)
        let melody = DemoSong.leadSyllables(beatSeconds: beatSeconds, barCount: barCount)
        var urls: [URL] = []

        func mono(_ voice: VoiceSynth, _ syllables: [VoiceSynth.Syllable], peakDBFS: Float) -> [Float] {
            var buffer = [Float](repeating: 0, count: frameCount)
            voice.render(syllables, into: &buffer)
            return normalised(buffer, peakDBFS: peakDBFS)
        }
        func save(_ name: String, channels: [[Float]]) throws {
            let url = folder.appendingPathComponent(name)
            let writer = try AudioFileWriter(url: url, type: .wav(bits: 24), sampleRate: sampleRate, channelCount: channels.count)
            var interleaved = [Float](repeating: 0, count: frameCount * channels.count)
            for frame in 0..<frameCount {
                for channel in channels.indices { interleaved[frame * channels.count + channel] = channels[channel][frame] }
            }
            try writer.write(interleaved: interleaved)
            try writer.finish()
            urls.append(url)
            progress?(Double(urls.count) / Double(fileNames.count))
        }

        let lead = VoiceSynth(sampleRate: rate, seed: 1)
        try save(fileNames[0], channels: [mono(lead, melody, peakDBFS: -6)])

        let double = VoiceSynth(sampleRate: rate, detuneCents: 9, vibratoHz: 5.1, formantScale: 1.03, seed: 2)
        let late = melody.map { syllable -> VoiceSynth.Syllable in
            var copy = syllable
            copy.startSeconds += 0.018
            return copy
        }
        try save(fileNames[1], channels: [mono(double, late, peakDBFS: -9)])

        let harmony = VoiceSynth(sampleRate: rate, detuneCents: -5, vibratoHz: 5.8, formantScale: 1.1, seed: 3)
        let third = DemoSong.harmonyAbove(melody)
        try save(fileNames[2], channels: [mono(harmony, third, peakDBFS: -12)])

        let adlibVoice = VoiceSynth(sampleRate: rate, vibratoDepthCents: 10, formantScale: 0.95, seed: 4)
        let adlibs = mono(adlibVoice, DemoSong.adlibSyllables(beatSeconds: beatSeconds, barCount: barCount), peakDBFS: -9)
        // Adlibs sit off-centre, alternating sides.
        let panned = DemoSong.alternatePan(adlibs, sampleRate: rate, beatSeconds: beatSeconds)
        try save(fileNames[3], channels: [panned.left, panned.right])

        var left = [Float](repeating: 0, count: frameCount)
        var right = left
        BeatSynth(sampleRate: rate, beatSeconds: beatSeconds, barCount: barCount, rootNotes: [57, 53, 48, 55])
            .render(left: &left, right: &right)
        // Beats arrive mastered: a soft clip makes it dense (about −9 LUFS), like a real one.
        let peak = max(left.map(abs).max() ?? 1, right.map(abs).max() ?? 1)
        let drive: Float = 3
        func master(_ x: Float) -> Float { tanh(drive * x / max(peak, 1e-9)) / tanh(drive) }
        try save(fileNames[4], channels: [
            normalised(left.map(master), peakDBFS: -1, reference: right.map(master)),
            normalised(right.map(master), peakDBFS: -1, reference: left.map(master)),
        ])
        return urls
    }

    /// `buffer` scaled so the louder of it and `reference` peaks at `peakDBFS` (a stereo pair keeps its balance).
    static func normalised(_ buffer: [Float], peakDBFS: Float, reference: [Float] = []) -> [Float] {
        let peak = max(buffer.map(abs).max() ?? 0, reference.map(abs).max() ?? 0)
        guard peak > 0 else { return buffer }
        let scale = pow(10, peakDBFS / 20) / peak
        return buffer.map { $0 * scale }
    }
}
