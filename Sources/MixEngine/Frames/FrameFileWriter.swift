import Foundation

/// Writes a frame file (`docs/frame-format.md`): magic, JSON header, deflated chunks of
/// records, a chunk index and a footer. Written under a temporary name and renamed on `finish`.
final class FrameFileWriter {
    let url: URL
    let header: FrameFileHeader
    private let layout: FrameLayout
    private let temporaryURL: URL
    private let handle: FileHandle
    private let chunk: UnsafeMutableRawPointer
    private var chunkCount = 0
    private var offset: UInt64 = 0
    private var chunkOffsets: [UInt64] = []
    private(set) var framesWritten = 0
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
        try write(start)
    }

    deinit {
        chunk.deallocate()
        if !closed { try? handle.close() }
        if !committed { try? FileManager.default.removeItem(at: temporaryURL) }
    }

    /// Appends one record (`header.recordBytes` bytes).
    func append(_ record: UnsafeRawPointer) throws {
        (chunk + chunkCount * layout.recordBytes).copyMemory(from: record, byteCount: layout.recordBytes)
        chunkCount += 1
        framesWritten += 1
        if chunkCount == header.framesPerChunk { try flushChunk() }
    }

    /// Writes the last chunk, the index and the footer, and closes the file (still under its
    /// temporary name until `commit`).
    func finish() throws {
        try flushChunk()
        var tail = Data()
        let indexOffset = offset
        tail.append(littleEndian: UInt32(chunkOffsets.count))
        for chunkOffset in chunkOffsets { tail.append(littleEndian: chunkOffset) }
        tail.append(littleEndian: indexOffset)
        tail.append(contentsOf: FrameFileHeader.footerMagic)
        try write(tail)
        try handle.close()
        closed = true
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
        FrameChunkCoding.encode(chunk, count: chunkCount, layout: layout)
        let compressed = FrameChunkCoding.compress(chunk, count: chunkCount * layout.recordBytes)
        chunkOffsets.append(offset)
        var data = Data()
        data.append(littleEndian: UInt32(compressed.count))
        data.append(littleEndian: UInt32(chunkCount))
        data.append(contentsOf: compressed)
        try write(data)
        chunkCount = 0
    }

    private func write(_ data: Data) throws {
        do {
            try handle.write(contentsOf: data)
        } catch {
            throw MixError.io("cannot write \(url.lastPathComponent): \(error.localizedDescription)")
        }
        offset += UInt64(data.count)
    }
}

extension Data {
    mutating func append<T: FixedWidthInteger>(littleEndian value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
