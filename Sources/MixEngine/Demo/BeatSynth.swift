import Foundation
import MixDSP

/// A trap-style beat made from first principles: a pitched-sine kick, a noise-and-tone snare,
/// closed hats, a gliding 808 and a soft chord pad, in stereo.
struct BeatSynth {
    let sampleRate: Double
    let beatSeconds: Double
    let barCount: Int
    /// Root note (MIDI) of each bar's chord, repeating.
    let rootNotes: [Double]

    /// Renders the beat into planar stereo buffers.
    func render(left: inout [Float], right: inout [Float]) {
        var random = DemoRandom(seed: 808)
        for bar in 0..<barCount {
            let barStart = Double(bar * 4) * beatSeconds
            let root = rootNotes[bar % rootNotes.count]
            pad(root: root, at: barStart, seconds: 4 * beatSeconds, left: &left, right: &right)
            for (step, velocity) in [(0.0, 1.0), (1.5, 0.8), (2.75, 0.7)] where bar > 0 || step == 0 {
                kick(at: barStart + step * beatSeconds, velocity: Float(velocity), left: &left, right: &right)
                bass808(midiNote: root - 24, at: barStart + step * beatSeconds, seconds: 0.9 * beatSeconds,
                        left: &left, right: &right)
            }
            for beat in [1.0, 3.0] {
                snare(at: barStart + beat * beatSeconds, random: &random, left: &left, right: &right)
            }
            for eighth in 0..<8 {
                let accent: Float = eighth % 2 == 0 ? 1 : 0.6
                hat(at: barStart + Double(eighth) * beatSeconds / 2, level: accent, random: &random,
                    left: &left, right: &right)
            }
        }
    }

    private func add(_ samples: [Float], at seconds: Double, pan: Float, left: inout [Float], right: inout [Float]) {
        let start = Int(seconds * sampleRate)
        // Constant-power pan, −1 (left) … +1 (right).
        let angle = (Double(pan) + 1) * Double.pi / 4
        let (gainLeft, gainRight) = (Float(cos(angle)), Float(sin(angle)))
        for (n, sample) in samples.enumerated() where start + n < left.count {
            left[start + n] += sample * gainLeft
            right[start + n] += sample * gainRight
        }
    }

    private func kick(at seconds: Double, velocity: Float, left: inout [Float], right: inout [Float]) {
        let length = Int(0.35 * sampleRate)
        var phase = 0.0
        let samples: [Float] = (0..<length).map { n in
            let t = Double(n) / sampleRate
            let frequency = 48 + 110 * exp(-t / 0.03)
            phase += frequency / sampleRate
            return Float(sin(2 * Double.pi * phase) * exp(-t / 0.12)) * 0.9 * velocity
        }
        add(samples, at: seconds, pan: 0, left: &left, right: &right)
    }

    private func bass808(midiNote: Double, at seconds: Double, seconds length: Double, left: inout [Float], right: inout [Float]) {
        let count = Int(length * sampleRate)
        let target = 440 * pow(2, (midiNote - 69) / 12)
        var phase = 0.0
        let samples: [Float] = (0..<count).map { n in
            let t = Double(n) / sampleRate
            let frequency = target * (1 + 0.5 * exp(-t / 0.015))
            phase += frequency / sampleRate
            let envelope = min(1, t / 0.004) * exp(-t / 0.6) * min(1, (length - t) / 0.02)
            return Float(tanh(1.6 * sin(2 * Double.pi * phase)) * envelope) * 0.55
        }
        add(samples, at: seconds, pan: 0, left: &left, right: &right)
    }

    private func snare(at seconds: Double, random: inout DemoRandom, left: inout [Float], right: inout [Float]) {
        let length = Int(0.22 * sampleRate)
        var body = Biquad(.bell(centerHz: 3500, q: 0.7, gainDB: 6, sampleRate: sampleRate))
        var noise = (0..<length).map { _ in random.bipolar() }
        noise.withUnsafeMutableBufferPointer { body.process($0) }
        let samples: [Float] = (0..<length).map { n in
            let t = Double(n) / sampleRate
            let tone = sin(2 * Double.pi * 190 * t) * exp(-t / 0.05)
            return Float(tone * 0.5) + noise[n] * Float(exp(-t / 0.07)) * 0.45
        }
        add(samples, at: seconds, pan: 0.05, left: &left, right: &right)
    }

    private func hat(at seconds: Double, level: Float, random: inout DemoRandom, left: inout [Float], right: inout [Float]) {
        let length = Int(0.05 * sampleRate)
        var highPass = Biquad(.highPass(cutoffHz: 7500, q: 0.8, sampleRate: sampleRate))
        var samples: [Float] = (0..<length).map { n in
            random.bipolar() * Float(exp(-Double(n) / sampleRate / 0.012))
        }
        samples.withUnsafeMutableBufferPointer { highPass.process($0) }
        add(samples.map { $0 * 0.35 * level }, at: seconds, pan: 0.35, left: &left, right: &right)
    }

    private func pad(root: Double, at seconds: Double, seconds length: Double, left: inout [Float], right: inout [Float]) {
        let count = Int(length * sampleRate)
        // A minor triad an octave up, a few soft harmonics, slightly detuned left and right.
        for (index, interval) in [12.0, 15.0, 19.0].enumerated() {
            let frequency = 440 * pow(2, (root + interval - 69) / 12)
            for (side, detune) in [(-0.6, 0.997), (0.6, 1.003)] {
                let samples: [Float] = (0..<count).map { n in
                    let t = Double(n) / sampleRate
                    let envelope = min(1, t / 0.3, (length - t) / 0.3)
                    let f = frequency * detune
                    let wave = sin(2 * Double.pi * f * t) + 0.3 * sin(4 * Double.pi * f * t) + 0.1 * sin(6 * Double.pi * f * t)
                    return Float(wave * envelope) * 0.045
                }
                add(samples, at: seconds + Double(index) * 0.002, pan: Float(side), left: &left, right: &right)
            }
        }
    }
}
