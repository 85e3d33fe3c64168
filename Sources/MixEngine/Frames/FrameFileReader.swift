import Foundation

/// Reads a frame file: the header, then any frame by number (one chunk restored at a time), so
/// a client joining late can replay frames in step with playback. Records of older versions are
/// handed out in the current layout (the fields they lack read "none").
public final class FrameFileReader {
    public let header: FrameFileHeader
    /// The layout of the file's records.
    private let layout: FrameLayout
    /// The layout records are handed out in (the current version's).
    public let recordLayout: FrameLayout
    private let handle: FileHandle
    private let chunkOffsets: [UInt64]
    private let name: String
    private let path: String
    private let cache: FrameChunkCache?
    private var cachedChunk: Int?
    private var chunkRecords: [UInt8] = []

    /// Opens the frame file at `url`; with `cache`, decoded chunks are shared with the other
    /// readers given the same cache.
    public init(url: URL, cache: FrameChunkCache? = nil) throws {
        name = url.lastPathComponent
        path = url.standardizedFileURL.path
        self.cache = cache
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw MixError.io("\(url.lastPathComponent): cannot open the frame file")
        }
        self.handle = handle
        let damaged = MixError.io("\(url.lastPathComponent): not a frame file, or damaged")
        let start = try Self.read(handle, at: 0, count: 12)
        guard start.count == 12, Array(start.prefix(8)) == FrameFileHeader.magic else { throw damaged }
        let headerLength = Int(start.loadLittleEndian(UInt32.self, at: 8))
        guard headerLength < 1 << 20 else { throw damaged }
        do {
            header = try JSONDecoder().decode(FrameFileHeader.self, from: try Self.read(handle, at: 12, count: headerLength))
        } catch {
            throw damaged
        }
        guard header.format == "mixdown-frames" else { throw damaged }
        guard FrameFileHeader.readableVersions.contains(header.version) else {
            let readable = FrameFileHeader.readableVersions
            throw MixError.io(
                "\(url.lastPathComponent): a frame file of version \(header.version), which this build cannot read (it reads versions \(readable.lowerBound) to \(readable.upperBound))")
        }
        layout = header.layout
        recordLayout = FrameLayout(trackCount: header.tracks.count)
        guard layout.recordBytes == header.recordBytes, header.framesPerChunk > 0, header.frameCount >= 0,
            header.framesPerSecond > 0, header.sampleRate > 0
        else { throw damaged }
        let end = try handle.seekToEnd()
        guard end >= 16 else { throw damaged }
        let footer = try Self.read(handle, at: end - 16, count: 16)
        guard Array(footer.suffix(8)) == FrameFileHeader.footerMagic else { throw damaged }
        let indexOffset = footer.loadLittleEndian(UInt64.self, at: 0)
        guard indexOffset >= 12, indexOffset <= end - 20 else { throw damaged }
        let index = try Self.read(handle, at: indexOffset, count: Int(end - 16 - indexOffset))
        guard index.count >= 4 else { throw damaged }
        let count = Int(index.loadLittleEndian(UInt32.self, at: 0))
        let expectedChunks = (header.frameCount + header.framesPerChunk - 1) / header.framesPerChunk
        guard index.count == 4 + 8 * count, count == expectedChunks else { throw damaged }
        chunkOffsets = (0..<count).map { index.loadLittleEndian(UInt64.self, at: 4 + 8 * $0) }
    }

    deinit {
        try? handle.close()
    }

    /// Frames in the file.
    public var frameCount: Int { header.frameCount }

    /// Frame `index` (0-based), decoded.
    public func frame(at index: Int) throws -> MeterFrame {
        try withRecord(at: index) { MeterFrame(record: $0, index: index, header: header, isComplete: true) }
    }

    /// Calls `body` with the bytes of frame `index` in `recordLayout` (valid during the call).
    public func withRecord<Result>(at index: Int, _ body: (UnsafeRawPointer) throws -> Result) throws -> Result {
        guard index >= 0, index < header.frameCount else {
            throw MixError.io("\(name): no frame \(index) (the file holds \(header.frameCount))")
        }
        let chunk = index / header.framesPerChunk
        if cachedChunk != chunk {
            chunkRecords = try cache?.records(path: path, chunk: chunk, decode: { try decodeChunk(chunk) }) ?? decodeChunk(chunk)
            cachedChunk = chunk
        }
        let within = index % header.framesPerChunk
        let recordBytes = recordLayout.recordBytes
        guard (within + 1) * recordBytes <= chunkRecords.count else {
            throw MixError.io("\(name): chunk \(chunk) is damaged")
        }
        return try chunkRecords.withUnsafeBytes { bytes in try body(bytes.baseAddress! + within * recordBytes) }
    }

    /// The records of `chunk`, decompressed, decoded and in the current layout.
    private func decodeChunk(_ chunk: Int) throws -> [UInt8] {
        let damaged = MixError.io("\(name): chunk \(chunk) is damaged")
        guard chunk < chunkOffsets.count else { throw damaged }
        let prefix = try Self.read(handle, at: chunkOffsets[chunk], count: 8)
        guard prefix.count == 8 else { throw damaged }
        let compressedCount = Int(prefix.loadLittleEndian(UInt32.self, at: 0))
        let frames = Int(prefix.loadLittleEndian(UInt32.self, at: 4))
        let expectedFrames = min(header.framesPerChunk, header.frameCount - chunk * header.framesPerChunk)
        guard frames == expectedFrames, compressedCount < 1 << 30 else { throw damaged }
        let compressed = [UInt8](try Self.read(handle, at: chunkOffsets[chunk] + 8, count: compressedCount))
        var records = [UInt8](repeating: 0, count: frames * layout.recordBytes)
        let ok = records.withUnsafeMutableBytes { out in
            guard FrameChunkCoding.decompress(
                compressed, version: header.version, into: out.baseAddress!, expectedCount: out.count) else { return false }
            FrameChunkCoding.decode(out.baseAddress!, count: frames, layout: layout)
            return true
        }
        guard ok else { throw damaged }
        if layout != recordLayout {
            var upgraded = [UInt8](repeating: 0, count: frames * recordLayout.recordBytes)
            records.withUnsafeBytes { old in
                upgraded.withUnsafeMutableBytes { new in
                    for frame in 0..<frames {
                        layout.upgrade(
                            old.baseAddress! + frame * layout.recordBytes,
                            into: new.baseAddress! + frame * recordLayout.recordBytes, as: recordLayout)
                    }
                }
            }
            records = upgraded
        }
        return records
    }

    private static func read(_ handle: FileHandle, at offset: UInt64, count: Int) throws -> Data {
        try handle.seek(toOffset: offset)
        return try handle.read(upToCount: count) ?? Data()
    }
}

extension Data {
    func loadLittleEndian<T: FixedWidthInteger>(_ type: T.Type, at offset: Int) -> T {
        var value: T = 0
        Swift.withUnsafeMutableBytes(of: &value) { target in
            let start = index(startIndex, offsetBy: offset)
            copyBytes(to: target.bindMemory(to: UInt8.self), from: start..<index(start, offsetBy: MemoryLayout<T>.size))
        }
        return T(littleEndian: value)
    }
}
