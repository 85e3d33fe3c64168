import Dispatch
import Foundation
import MixAnalysis
import Synchronization

/// Measures the mix the way a listener's tools would, with meters that share no code with the
/// limiter: libebur128 (integrated loudness, loudness range) and an 8× oversampled scan of each
/// channel, the true-peak authority (libebur128's own 4× true peak, a quarter of the check's
/// cost, would only repeat the scan less finely).
///
/// The meters run while the file is written, on the samples exactly as a decoder returns them
/// (`PCMCodes`), on two worker queues beside the writing pass, fed in chunks. Once the file is
/// closed it is decoded again and its samples digested: only when they are bit for bit the
/// samples the meters measured (`SampleDigest`, and the same count) does the reading stand for
/// the file.
final class OutputVerifier: @unchecked Sendable {
    struct Reading: Sendable, Equatable {
        var integratedLUFS: Double?
        var loudnessRangeLU: Double?
        /// The 8× oversampled scan's peak; nil for silence.
        var truePeakDBTP: Double?
        var frameCount: Int64
    }

    static let chunkFrameCount = 32_768
    private static let chunkCount = 4

    private let sampleRate: Int
    private let loudness: LoudnessMeter
    private let scanners: [OversampledPeakScanner]
    private let loudnessQueue = DispatchQueue(label: "mixdown.check.loudness")
    private let scanQueue = DispatchQueue(label: "mixdown.check.scan")
    private let pending = DispatchGroup()
    private let freeChunks: DispatchSemaphore
    /// Chunks of decoded stereo frames, interleaved.
    private let chunks: [UnsafeMutablePointer<Float>]
    /// The chunks free to fill, and how many meters still read each chunk.
    private let chunkState = Mutex<(free: [Int], users: [Int])>(([], []))
    // The filling side: touched only by the thread that calls `add`.
    private var current: Int?
    private var filled = 0
    private var streamFrames: Int64 = 0
    private var digest = SampleDigest()

    init(sampleRate: Int) throws {
        self.sampleRate = sampleRate
        guard let loudness = LoudnessMeter(
            channelCount: 2, sampleRate: sampleRate, measures: [.integrated, .loudnessRange])
        else { throw MixError.io("cannot start the output's loudness meter at \(sampleRate) Hz") }
        self.loudness = loudness
        scanners = (0..<2).map { _ in OversampledPeakScanner(maxFrameCount: Self.chunkFrameCount) }
        chunks = (0..<Self.chunkCount).map { _ in .allocate(capacity: 2 * Self.chunkFrameCount) }
        freeChunks = DispatchSemaphore(value: Self.chunkCount)
        chunkState.withLock { $0 = (Array(0..<Self.chunkCount), [Int](repeating: 0, count: Self.chunkCount)) }
    }

    deinit {
        pending.wait()
        // A chunk taken and never sent (the pass stopped early) goes back: libdispatch will not
        // dispose of a semaphore left below the value it started at.
        if current != nil { freeChunks.signal() }
        for chunk in chunks { chunk.deallocate() }
    }

    /// Takes the next `frameCount` frames: their codes as handed to the file writer and their
    /// decoded values, both interleaved stereo.
    func add(codes: UnsafePointer<Int32>, decoded: UnsafePointer<Float>, frameCount: Int) {
        digest.add(codes, count: 2 * frameCount)
        var offset = 0
        while offset < frameCount {
            let target = current ?? takeChunk()
            let n = min(frameCount - offset, Self.chunkFrameCount - filled)
            (chunks[target] + 2 * filled).update(from: decoded + 2 * offset, count: 2 * n)
            filled += n
            offset += n
            if filled == Self.chunkFrameCount { dispatchChunk() }
        }
    }

    /// Waits for the meters, decodes the closed file at `url` and holds it against what was
    /// measured; the reading, or an error when the file is not what was measured.
    func finish(readingBack url: URL) throws -> Reading {
        if current != nil { dispatchChunk() }
        pending.wait()
        for scanner in scanners { scanner.finish() }
        let readBack = try Self.digest(of: url, sampleRate: sampleRate)
        guard readBack == digest else {
            throw MixError.io(
                "\(url.lastPathComponent): the written file does not decode to the samples that were measured (\(readBack.count / 2) frames read back, \(digest.count / 2) written)")
        }
        return Reading(
            integratedLUFS: loudness.integratedLUFS, loudnessRangeLU: loudness.loudnessRangeLU,
            truePeakDBTP: scanners.compactMap(\.peakDBTP).max(),
            frameCount: streamFrames)
    }

    // MARK: Chunks

    /// Takes a free chunk, waiting while the meters hold them all.
    private func takeChunk() -> Int {
        freeChunks.wait()
        let index = chunkState.withLock { $0.free.removeLast() }
        current = index
        filled = 0
        return index
    }

    /// Sends the current chunk to the meters; it goes back to the free list when they are done.
    private func dispatchChunk() {
        guard let index = current else { return }
        let frameCount = filled
        streamFrames += Int64(frameCount)
        current = nil
        filled = 0
        // Only read by the meters until both give the chunk back.
        let frames = Handed(UnsafePointer(chunks[index]))
        pending.enter()
        // The last of the two meters to finish gives the chunk back.
        chunkState.withLock { $0.users[index] = 2 }
        let release = { @Sendable [self] in
            let isLast = chunkState.withLock { state in
                state.users[index] -= 1
                if state.users[index] == 0 { state.free.append(index) }
                return state.users[index] == 0
            }
            guard isLast else { return }
            freeChunks.signal()
            pending.leave()
        }
        loudnessQueue.async { [self] in
            loudness.add(interleaved: frames.value, frameCount: frameCount)
            release()
        }
        scanQueue.async { [self] in
            scanners[0].add(frames.value, count: frameCount, stride: 2)
            scanners[1].add(frames.value + 1, count: frameCount, stride: 2)
            release()
        }
    }

    /// The digest of the samples in the file at `url`, decoded as integers.
    private static func digest(of url: URL, sampleRate: Int) throws -> SampleDigest {
        let reader: SndFileReader
        do {
            reader = try SndFileReader(url: url)
        } catch let rejection as InputRejection {
            throw MixError.io("cannot read back the written mix to check it: \(rejection.reason)")
        }
        guard reader.channelCount == 2, reader.sampleRate == sampleRate else {
            throw MixError.io(
                "\(url.lastPathComponent): reads back as \(reader.channelCount) channels at \(reader.sampleRate) Hz, not the stereo \(sampleRate) Hz written")
        }
        let blockFrames = 32_768
        let buffer = UnsafeMutablePointer<Int32>.allocate(capacity: 2 * blockFrames)
        defer { buffer.deallocate() }
        var digest = SampleDigest()
        while true {
            let frames = reader.read(into: buffer, frameCount: blockFrames)
            guard frames > 0 else { break }
            digest.add(buffer, count: 2 * frames)
        }
        return digest
    }
}
