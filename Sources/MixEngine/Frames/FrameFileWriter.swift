import Foundation
import Synchronization

/// Writes a frame file (`docs/frame-format.md`): magic, JSON header, compressed chunks of
/// records, a chunk index and a footer. Chunks are coded and compressed on a worker thread (at
/// most a few in flight, so memory stays bounded) while the render goes on. Written under a
/// temporary name; `commit` moves it into place.
final class FrameFileWriter: @unchecked Sendable {
    let url: URL
    let header: FrameFileHeader
    private let layout: FrameLayout
    private let temporaryURL: URL
    private let handle: FileHandle
    private let chunk: UnsafeMutableRawPointer
    private var chunkCount = 0
    // Touched only on `queue` (and after it drains).
    private var offset: UInt64 = 0
    private var chunkOffsets: [UInt64] = []
    private let failure = Mutex<MixError?>(nil)
    private let queue = DispatchQueue(label: "mixdown.frames.compress")
    private let inFlight = DispatchSemaphore(value: 4)
    private let compressor = FrameChunkCoding.Compressor()
    private var closed = false
    private var committed = false

    init(url: URL, header: FrameFileHeader) throws {
        self.url = url
        self.header = header
        layout = FrameLayout(trackCount: header.tracks.count)
        temporaryURL = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).partial")
        guard FileManager.default.createFile(atPath: temporaryURL.path, contents: nil),
            let handle = FileHandle(forWritingAtPath: temporaryURL.path)
        else { throw MixError.io("cannot write \(url.lastPathComponent) in \(url.deletingLastPathComponent().path)") }
        self.handle = handle
        chunk = .allocate(byteCount: header.framesPerChunk * layout.recordBytes, alignment: 8)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try encoder.encode(header)
        var start = Data(FrameFileHeader.magic)
        start.append(littleEndian: UInt32(json.count))
        start.append(json)
        write(start)
    }

    deinit {
        queue.sync {}
        chunk.deallocate()
        if !closed { try? handle.close() }
        if !committed { try? FileManager.default.removeItem(at: temporaryURL) }
    }

    /// Appends one record (`header.recordBytes` bytes).
    func append(_ record: UnsafeRawPointer) throws {
        (chunk + chunkCount * layout.recordBytes).copyMemory(from: record, byteCount: layout.recordBytes)
        chunkCount += 1
        if chunkCount == header.framesPerChunk { try flushChunk() }
    }

    /// Writes the last chunk, the index and the footer, and closes the file (still under its
    /// temporary name until `commit`).
    func finish() throws {
        try flushChunk()
        queue.sync {}
        if let error = failure.withLock({ $0 }) { throw error }
        var tail = Data()
        tail.append(littleEndian: UInt32(chunkOffsets.count))
        for chunkOffset in chunkOffsets { tail.append(littleEndian: chunkOffset) }
        tail.append(littleEndian: offset)
        tail.append(contentsOf: FrameFileHeader.footerMagic)
        write(tail)
        if let error = failure.withLock({ $0 }) { throw error }
        try handle.close()
        closed = true
    }

    /// Stops (chunks in flight are waited for) and removes the file: nothing is left behind, and
    /// nothing runs after it returns.
    func discard() {
        queue.sync {}
        if !closed {
            try? handle.close()
            closed = true
        }
        committed = true
        try? FileManager.default.removeItem(at: temporaryURL)
    }

    /// Moves the finished file into place.
    func commit() throws {
        precondition(closed)
        committed = true
        guard rename(temporaryURL.path, url.path) == 0 else {
            try? FileManager.default.removeItem(at: temporaryURL)
            throw MixError.io("cannot write \(url.lastPathComponent): rename failed (errno \(errno))")
        }
    }

    private func flushChunk() throws {
        guard chunkCount > 0 else { return }
        if let error = failure.withLock({ $0 }) { throw error }
        let records = Data(bytes: chunk, count: chunkCount * layout.recordBytes)
        let frames = chunkCount
        chunkCount = 0
        inFlight.wait()
        // Weak: a chunk must never keep the writer alive, or its last release (and `deinit`,
        // which waits on this queue) could come from a block on this queue.
        queue.async { [weak self, inFlight] in
            defer { inFlight.signal() }
            guard let self else { return }
            var coded = records
            let compressed = coded.withUnsafeMutableBytes { bytes in
                FrameChunkCoding.encode(bytes.baseAddress!, count: frames, layout: layout)
                return compressor.compress(bytes.baseAddress!, count: bytes.count)
            }
            var data = Data()
            data.append(littleEndian: UInt32(compressed.count))
            data.append(littleEndian: UInt32(frames))
            data.append(contentsOf: compressed)
            chunkOffsets.append(offset)
            write(data)
        }
    }

    /// Appends `data` at the end of the file; a failure is kept and thrown by the next call.
    private func write(_ data: Data) {
        do {
            try handle.write(contentsOf: data)
            offset += UInt64(data.count)
        } catch {
            failure.withLock { $0 = $0 ?? MixError.io("cannot write \(url.lastPathComponent): \(error.localizedDescription)") }
        }
    }
}

extension Data {
    mutating func append<T: FixedWidthInteger>(littleEndian value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
