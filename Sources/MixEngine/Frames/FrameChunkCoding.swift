import CZlib
import Foundation

/// How a chunk of records is made small: spectra are coded as the byte difference from the
/// previous record of the chunk (spectra change slowly), the final scope as the difference from
/// the post-master scope (they differ only by dither), then the chunk is deflated (zlib).
enum FrameChunkCoding {
    /// Transforms `count` records in place for compression.
    static func encode(_ records: UnsafeMutableRawPointer, count: Int, layout: FrameLayout) {
        let bytes = records.assumingMemoryBound(to: UInt8.self)
        let size = layout.recordBytes
        // Backwards, so each record is differenced against its unmodified predecessor.
        for record in stride(from: count - 1, through: 0, by: -1) {
            let base = bytes + record * size
            subtract(base + layout.scopeOffset(1) + 2, from: base + layout.scopeOffset(2) + 2, count: FrameLayout.scopeBytes - 2)
            guard record > 0 else { continue }
            for range in layout.spectrumRanges {
                subtract(base - size + range.lowerBound, from: base + range.lowerBound, count: range.count)
            }
        }
    }

    /// Undoes `encode`.
    static func decode(_ records: UnsafeMutableRawPointer, count: Int, layout: FrameLayout) {
        let bytes = records.assumingMemoryBound(to: UInt8.self)
        let size = layout.recordBytes
        for record in 0..<count {
            let base = bytes + record * size
            if record > 0 {
                for range in layout.spectrumRanges {
                    add(base - size + range.lowerBound, to: base + range.lowerBound, count: range.count)
                }
            }
            add(base + layout.scopeOffset(1) + 2, to: base + layout.scopeOffset(2) + 2, count: FrameLayout.scopeBytes - 2)
        }
    }

    private static func subtract(_ reference: UnsafePointer<UInt8>, from target: UnsafeMutablePointer<UInt8>, count: Int) {
        for i in 0..<count { target[i] = target[i] &- reference[i] }
    }

    private static func add(_ reference: UnsafePointer<UInt8>, to target: UnsafeMutablePointer<UInt8>, count: Int) {
        for i in 0..<count { target[i] = target[i] &+ reference[i] }
    }

    /// Deflates `count` bytes (zlib format, level 6).
    static func compress(_ source: UnsafeRawPointer, count: Int) -> [UInt8] {
        var capacity = compressBound(uLong(count))
        var output = [UInt8](repeating: 0, count: Int(capacity))
        let status = output.withUnsafeMutableBufferPointer { out in
            compress2(out.baseAddress!, &capacity, source.assumingMemoryBound(to: Bytef.self), uLong(count), 6)
        }
        precondition(status == Z_OK, "zlib compress2 failed (\(status)) with a bound-sized buffer")
        output.removeSubrange(Int(capacity)...)
        return output
    }

    /// Inflates into exactly `expectedCount` bytes; false when the data is damaged.
    static func decompress(_ source: [UInt8], into target: UnsafeMutableRawPointer, expectedCount: Int) -> Bool {
        var length = uLong(expectedCount)
        let status = source.withUnsafeBufferPointer { input in
            uncompress(target.assumingMemoryBound(to: Bytef.self), &length, input.baseAddress!, uLong(input.count))
        }
        return status == Z_OK && Int(length) == expectedCount
    }
}
