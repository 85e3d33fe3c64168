import Foundation
import MixAnalysis

/// Measures a written mix the way a listener's tools would: decodes the file and meters it
/// with libebur128 (integrated loudness, loudness range, 4× true peak) and with an 8×
/// oversampled scan, neither of which shares code with the limiter.
enum OutputVerifier {
    struct Reading: Sendable, Equatable {
        var integratedLUFS: Double?
        var loudnessRangeLU: Double?
        /// libebur128's true peak (BS.1770-4, 4×).
        var truePeakDBTP: Double?
        /// The 8× oversampled scan's peak.
        var scannedPeakDBTP: Double?
        var frameCount: Int64

        /// The higher of the two true-peak readings.
        var highestPeakDBTP: Double? {
            switch (truePeakDBTP, scannedPeakDBTP) {
            case let (a?, b?): return max(a, b)
            case let (a, b): return a ?? b
            }
        }
    }

    static func measure(_ url: URL) throws -> Reading {
        let reader: SndFileReader
        do {
            reader = try SndFileReader(url: url)
        } catch let rejection as InputRejection {
            throw MixError.io("cannot read back the written mix to check it: \(rejection.reason)")
        }
        let channels = reader.channelCount
        guard let meter = LoudnessMeter(
            channelCount: channels, sampleRate: reader.sampleRate, measures: [.integrated, .loudnessRange, .truePeak])
        else { throw MixError.io("cannot start a loudness meter at \(reader.sampleRate) Hz") }
        let blockFrames = 32_768
        let scanners = (0..<channels).map { _ in OversampledPeakScanner(maxFrameCount: blockFrames) }
        var buffer = [Float](repeating: 0, count: blockFrames * channels)
        var total: Int64 = 0
        while true {
            let frames = buffer.withUnsafeMutableBufferPointer { reader.read(into: $0.baseAddress!, frameCount: blockFrames) }
            guard frames > 0 else { break }
            total += Int64(frames)
            buffer.withUnsafeBufferPointer { samples in
                // The meters read the same block at once: libebur128 on one thread, each
                // channel's 8× scan on another.
                let base = UncheckedConstPointer(samples.baseAddress!)
                let work = UncheckedWork(meter: meter, scanners: scanners)
                DispatchQueue.concurrentPerform(iterations: channels + 1) { task in
                    if task == 0 {
                        work.meter.add(interleaved: base.pointer, frameCount: frames)
                    } else {
                        work.scanners[task - 1].add(base.pointer + task - 1, count: frames, stride: channels)
                    }
                }
            }
        }
        for scanner in scanners { scanner.finish() }
        let scanned = scanners.compactMap(\.peakDBTP).max()
        return Reading(
            integratedLUFS: meter.integratedLUFS, loudnessRangeLU: meter.loudnessRangeLU, truePeakDBTP: meter.truePeakDBTP,
            scannedPeakDBTP: scanned, frameCount: total)
    }
}

/// A read-only pointer handed to workers that only read it.
struct UncheckedConstPointer: @unchecked Sendable {
    let pointer: UnsafePointer<Float>

    init(_ pointer: UnsafePointer<Float>) {
        self.pointer = pointer
    }
}

/// The meters handed to workers, each used by one worker at a time.
struct UncheckedWork: @unchecked Sendable {
    let meter: LoudnessMeter
    let scanners: [OversampledPeakScanner]
}
