import Foundation

/// Reads fixed-width integers out of a header's bytes, little- or big-endian, without ever
/// reading past the end (a short read gives nil, so a cut header is a clear error upstream).
struct ByteReader {
    let bytes: [UInt8]
    let bigEndian: Bool

    init(_ bytes: [UInt8], bigEndian: Bool = false) {
        self.bytes = bytes
        self.bigEndian = bigEndian
    }

    func uint16(at offset: Int) -> UInt16? {
        guard let raw = unsigned(at: offset, width: 2) else { return nil }
        return UInt16(raw)
    }

    func uint32(at offset: Int) -> UInt32? {
        guard let raw = unsigned(at: offset, width: 4) else { return nil }
        return UInt32(raw)
    }

    func uint64(at offset: Int) -> UInt64? {
        unsigned(at: offset, width: 8)
    }

    /// Four bytes as ASCII (a chunk id such as `fmt ` or `data`), with unprintable bytes as `?`.
    func fourCC(at offset: Int) -> String? {
        guard offset >= 0, offset + 4 <= bytes.count else { return nil }
        return String(bytes[offset..<offset + 4].map { (32...126).contains($0) ? Character(UnicodeScalar($0)) : "?" })
    }

    private func unsigned(at offset: Int, width: Int) -> UInt64? {
        guard offset >= 0, offset + width <= bytes.count else { return nil }
        var value: UInt64 = 0
        for index in 0..<width {
            let byte = UInt64(bytes[offset + (bigEndian ? index : width - 1 - index)])
            value = value << 8 | byte
        }
        return value
    }
}

/// Random access to the first bytes of a file and to its chunks, bounded by the real file size.
struct HeaderFile {
    let fileSize: UInt64
    private let handle: FileHandle

    init(url: URL, fileSize: UInt64) throws {
        self.handle = try FileHandle(forReadingFrom: url)
        self.fileSize = fileSize
    }

    /// Up to `count` bytes from `offset`; fewer at the end of the file.
    func read(at offset: UInt64, count: Int) throws -> [UInt8] {
        guard offset < fileSize, count > 0 else { return [] }
        try handle.seek(toOffset: offset)
        let available = Int(min(UInt64(count), fileSize - offset))
        return [UInt8](try handle.read(upToCount: available) ?? Data())
    }

    func close() {
        try? handle.close()
    }
}
