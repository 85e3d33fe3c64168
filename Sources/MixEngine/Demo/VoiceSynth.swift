import Foundation
import MixDSP

/// A sung voice made by additive synthesis: harmonics of a fundamental with vibrato, shaped
/// by vowel formants, with consonant noise at syllable onsets. Enough like a voice for the
/// role detector, the de-esser and the meters to have something real to work on.
struct VoiceSynth {
    /// One sung syllable.
    struct Syllable {
        var startSeconds: Double
        var durationSeconds: Double
        var midiNote: Double
        var vowel: Vowel
        /// Onset consonant: none, a plosive tick ("t", "k") or a sibilant ("s", "sh").
        var consonant: Consonant = .none
        var level: Float = 1
    }

    enum Consonant { case none, plosive, sibilant }

    /// Formant centre frequencies (Hz) of five vowels, after Peterson and Barney.
    enum Vowel: CaseIterable {
        case a, e, i, o, u

        var formantsHz: (Double, Double, Double) {
            switch self {
            case .a: return (800, 1150, 2900)
            case .e: return (400, 2000, 2700)
            case .i: return (300, 2300, 3000)
            case .o: return (450, 800, 2830)
            case .u: return (325, 700, 2530)
            }
        }
    }

    let sampleRate: Double
    /// Detune in cents and vibrato rate (Hz) give each singer their own sound.
    var detuneCents = 0.0
    var vibratoHz = 5.5
    var vibratoDepthCents = 35.0
    /// Formant scale: above 1 a smaller vocal tract (brighter), below 1 a larger one.
    var formantScale = 1.0
    var seed: UInt64 = 1

    /// Adds the syllables into `buffer` (mono, at `sampleRate`).
    func render(_ syllables: [Syllable], into buffer: inout [Float]) {
        var random = DemoRandom(seed: seed)
        var sibilance = Biquad(.highPass(cutoffHz: 5500, q: 0.9, sampleRate: sampleRate))
        var plosive = Biquad(.bell(centerHz: 2500, q: 1.2, gainDB: 12, sampleRate: sampleRate))
        for syllable in syllables {
            let start = Int(syllable.startSeconds * sampleRate)
            let length = Int(syllable.durationSeconds * sampleRate)
            guard start >= 0, start + length < buffer.count, length > 0 else { continue }
            let f0 = 440 * pow(2, (syllable.midiNote - 69) / 12 + detuneCents / 1200)
            renderVowel(syllable, f0: f0, start: start, length: length, into: &buffer, random: &random)
            renderConsonant(
                syllable.consonant, at: start, level: syllable.level, into: &buffer, random: &random,
                sibilance: &sibilance, plosive: &plosive)
        }
    }

    private func renderVowel(
        _ syllable: Syllable, f0: Double, start: Int, length: Int, into buffer: inout [Float], random: inout DemoRandom
    ) {
        let (f1, f2, f3) = syllable.vowel.formantsHz
        let formants = [(f1 * formantScale, 90.0, 1.0), (f2 * formantScale, 110.0, 0.6), (f3 * formantScale, 160.0, 0.35)]
        let harmonicCount = max(1, min(60, Int(9000 / f0)))
        // Spectral envelope per harmonic: formant resonances over a −6 dB/octave source tilt.
        let gains: [Double] = (1...harmonicCount).map { k in
            let f = Double(k) * f0
            let resonance = formants.reduce(0.02) { sum, formant in
                sum + formant.2 / (1 + pow((f - formant.0) / (formant.1 / 2), 2))
            }
            return resonance / Double(k).squareRoot()
        }
        let norm = Float(1 / max(1e-9, gains.reduce(0, +))) * 1.6
        let attack = 0.04 * sampleRate, release = 0.08 * sampleRate
        let vibratoOnset = 0.18 * sampleRate
        var phase = random.uniform(0...1)
        var vibratoPhase = random.uniform(0...1)
        let jitterSeed = random.uniform(0...1)
        for n in 0..<length {
            let t = Double(n)
            let vibratoAmount = min(1, t / vibratoOnset)
            let cents = vibratoDepthCents * vibratoAmount * sin(2 * Double.pi * vibratoPhase)
                + 6 * sin(2 * Double.pi * (t / sampleRate * 0.7 + jitterSeed))
            let frequency = f0 * pow(2, cents / 1200)
            phase += frequency / sampleRate
            phase -= phase.rounded(.down)
            vibratoPhase += vibratoHz / sampleRate
            var sample = 0.0
            let theta = 2 * Double.pi * phase
            for k in 0..<harmonicCount {
                sample += gains[k] * sin(theta * Double(k + 1))
            }
            let envelope = min(1, t / attack, (Double(length) - t) / release)
            buffer[start + n] += Float(sample) * norm * Float(envelope) * syllable.level
        }
    }

    private func renderConsonant(
        _ consonant: Consonant, at start: Int, level: Float, into buffer: inout [Float], random: inout DemoRandom,
        sibilance: inout Biquad, plosive: inout Biquad
    ) {
        let seconds: Double
        let amplitude: Float
        switch consonant {
        case .none: return
        case .plosive: (seconds, amplitude) = (0.025, 0.25)
        case .sibilant: (seconds, amplitude) = (0.11, 0.22)
        }
        let length = Int(seconds * sampleRate)
        var noise = (0..<length).map { _ in random.bipolar() }
        noise.withUnsafeMutableBufferPointer { block in
            if consonant == .sibilant { sibilance.process(block) } else { plosive.process(block) }
        }
        // The consonant leads into the vowel: it ends where the vowel starts.
        let begin = max(0, start - length / 2)
        for n in 0..<length where begin + n < buffer.count {
            let shape = Float(sin(Double.pi * Double(n) / Double(length)))
            buffer[begin + n] += noise[n] * amplitude * shape * level
        }
    }
}
