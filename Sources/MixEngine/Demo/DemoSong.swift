import Foundation

/// The demo song's parts: the lead melody, the harmony a diatonic third above, the adlibs.
enum DemoSong {
    /// A minor scale degrees as semitones from A.
    private static let scale = [0, 2, 3, 5, 7, 8, 10]
    private static let tonic = 57.0  // A3

    /// Scale degrees of the lead, four syllables a bar over a two-bar phrase, and its vowels.
    private static let phrase: [(degree: Int, beats: Double, vowel: VoiceSynth.Vowel, consonant: VoiceSynth.Consonant)] = [
        (4, 1, .a, .sibilant), (4, 0.5, .e, .plosive), (3, 0.5, .i, .none), (2, 1, .o, .plosive), (0, 1, .a, .sibilant),
        (2, 1, .e, .none), (3, 0.5, .a, .plosive), (4, 0.5, .i, .sibilant), (5, 1.5, .o, .none), (4, 0.5, .u, .plosive),
    ]

    static func midiNote(degree: Int) -> Double {
        let octave = degree >= 0 ? degree / 7 : (degree - 6) / 7
        let index = degree - octave * 7
        return tonic + Double(octave * 12 + scale[index])
    }

    static func leadSyllables(beatSeconds: Double, barCount: Int) -> [VoiceSynth.Syllable] {
        var syllables: [VoiceSynth.Syllable] = []
        // The voice enters in bar 2 (the beat plays alone first): leading silence is timing.
        for phraseStart in stride(from: 1, to: barCount - 1, by: 2) {
            var beat = Double(phraseStart * 4)
            for (index, note) in phrase.enumerated() {
                syllables.append(VoiceSynth.Syllable(
                    startSeconds: beat * beatSeconds + 0.02, durationSeconds: note.beats * beatSeconds * 0.88,
                    midiNote: midiNote(degree: note.degree + (index == 8 && phraseStart % 4 == 3 ? 1 : 0)),
                    vowel: note.vowel, consonant: note.consonant, level: index % 4 == 0 ? 1 : 0.85))
                beat += note.beats
            }
        }
        return syllables
    }

    /// The same rhythm a diatonic third (two scale steps) above.
    static func harmonyAbove(_ lead: [VoiceSynth.Syllable]) -> [VoiceSynth.Syllable] {
        lead.map { syllable in
            var copy = syllable
            let degree = scale.firstIndex(of: (Int(syllable.midiNote - tonic) % 12 + 12) % 12) ?? 0
            let octave = Int(((syllable.midiNote - tonic) / 12).rounded(.down))
            copy.midiNote = midiNote(degree: octave * 7 + degree + 2)
            copy.level *= 0.9
            return copy
        }
    }

    /// Short shouts ("yeah", "hey") at the ends of phrases.
    static func adlibSyllables(beatSeconds: Double, barCount: Int) -> [VoiceSynth.Syllable] {
        var syllables: [VoiceSynth.Syllable] = []
        for bar in stride(from: 2, to: barCount, by: 2) {
            let start = (Double(bar * 4) + 3.0) * beatSeconds
            syllables.append(VoiceSynth.Syllable(
                startSeconds: start, durationSeconds: 0.35, midiNote: midiNote(degree: 7), vowel: .e, consonant: .none))
            syllables.append(VoiceSynth.Syllable(
                startSeconds: start + 0.45, durationSeconds: 0.25, midiNote: midiNote(degree: 5), vowel: .a,
                consonant: .plosive, level: 0.8))
        }
        return syllables
    }

    /// Pans each adlib (one per two beats) left or right in turn, constant power.
    static func alternatePan(_ mono: [Float], sampleRate: Double, beatSeconds: Double) -> (left: [Float], right: [Float]) {
        var left = mono, right = mono
        let period = Int(8 * beatSeconds * sampleRate)
        for index in mono.indices {
            let toLeft = (index / max(1, period)) % 2 == 0
            left[index] = mono[index] * (toLeft ? 0.92 : 0.39)
            right[index] = mono[index] * (toLeft ? 0.39 : 0.92)
        }
        return (left, right)
    }
}
