import CZlib
import CZstd
import Foundation

/// How records are made small before they are compressed (zstd; zlib in version 1 files): each
/// spectrum is coded as the difference between neighbouring bands, each scope line (waveform,
/// mids, sides) as the difference between neighbouring points, and the final scope as its
/// difference from the post-master scope (they differ only by dither). Records stay independent
/// of each other.
enum FrameChunkCoding {
    /// Transforms `count` records in place for compression.
    static func encode(_ records: UnsafeMutableRawPointer, count: Int, layout: FrameLayout) {
        let lines = scopeLines(layout)
        for record in 0..<count {
            let base = records.assumingMemoryBound(to: UInt8.self) + record * layout.recordBytes
            let post = base + layout.scopeOffset(1) + FrameLayout.ScopeField.waveform
            let final = base + layout.scopeOffset(2) + FrameLayout.ScopeField.waveform
            for i in 0..<scopePointBytes { final[i] = final[i] &- post[i] }
            for line in lines { differentiate(base + line, count: FrameLayout.scopePointCount) }
            for offset in layout.spectrumOffsets { differentiate(base + offset, count: FrameLayout.bandCount) }
        }
    }

    /// Undoes `encode`.
    static func decode(_ records: UnsafeMutableRawPointer, count: Int, layout: FrameLayout) {
        let lines = scopeLines(layout)
        for record in 0..<count {
            let base = records.assumingMemoryBound(to: UInt8.self) + record * layout.recordBytes
            for offset in layout.spectrumOffsets { integrate(base + offset, count: FrameLayout.bandCount) }
            for line in lines { integrate(base + line, count: FrameLayout.scopePointCount) }
            let post = base + layout.scopeOffset(1) + FrameLayout.ScopeField.waveform
            let final = base + layout.scopeOffset(2) + FrameLayout.ScopeField.waveform
            for i in 0..<scopePointBytes { final[i] = final[i] &+ post[i] }
        }
    }

    /// The bytes of a scope's three lines of points (waveform, mids, sides), which follow each other.
    private static let scopePointBytes = FrameLayout.ScopeField.bytes - FrameLayout.ScopeField.waveform

    /// The waveform, mid and side lines of the pre- and post-master scopes.
    private static func scopeLines(_ layout: FrameLayout) -> [Int] {
        typealias Field = FrameLayout.ScopeField
        return [0, 1].flatMap { scope in
            [Field.waveform, Field.mid, Field.side].map { layout.scopeOffset(scope) + $0 }
        }
    }

    private static func differentiate(_ bytes: UnsafeMutablePointer<UInt8>, count: Int) {
        for i in stride(from: count - 1, to: 0, by: -1) { bytes[i] = bytes[i] &- bytes[i - 1] }
    }

    private static func integrate(_ bytes: UnsafeMutablePointer<UInt8>, count: Int) {
        for i in 1..<count { bytes[i] = bytes[i] &+ bytes[i - 1] }
    }

    /// zstd's level 1: for session 07 it packs the frames into 22 % of the 24-bit mix's size in
    /// a sixth of the time zlib's level 4 took for 24 % (version 1 files).
    static let compressionLevel: Int32 = 1

    /// Compresses chunks into zstd frames that carry their content size and a checksum (zstd
    /// alone would restore damaged data without noticing). One per writer: it keeps zstd's
    /// context between chunks.
    final class Compressor {
        private let context: OpaquePointer

        init() {
            guard let context = ZSTD_createCCtx() else { fatalError("zstd: out of memory for a compression context") }
            self.context = context
            ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, FrameChunkCoding.compressionLevel)
            ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1)
        }

        deinit {
            ZSTD_freeCCtx(context)
        }

        /// Compresses `count` bytes into one zstd frame.
        func compress(_ source: UnsafeRawPointer, count: Int) -> [UInt8] {
            let capacity = ZSTD_compressBound(count)
            var output = [UInt8](repeating: 0, count: capacity)
            let written = output.withUnsafeMutableBytes { out in
                ZSTD_compress2(context, out.baseAddress!, capacity, source, count)
            }
            precondition(ZSTD_isError(written) == 0, "zstd compression failed with a bound-sized buffer")
            output.removeSubrange(written...)
            return output
        }
    }

    /// Restores exactly `expectedCount` bytes from a chunk of a version-`version` file (1: zlib,
    /// 2 to 4: zstd); false when the data is damaged.
    static func decompress(_ source: [UInt8], version: Int, into target: UnsafeMutableRawPointer, expectedCount: Int) -> Bool {
        source.withUnsafeBytes { input in
            switch version {
            case 1:
                var length = uLong(expectedCount)
                let status = uncompress(
                    target.assumingMemoryBound(to: Bytef.self), &length,
                    input.baseAddress?.assumingMemoryBound(to: Bytef.self), uLong(input.count))
                return status == Z_OK && Int(length) == expectedCount
            case 2, 3, 4:
                guard let base = input.baseAddress else { return false }
                // The frame must say its size, and say the one the header promises, before any
                // byte is written.
                guard ZSTD_getFrameContentSize(base, input.count) == UInt64(expectedCount) else { return false }
                let restored = ZSTD_decompress(target, expectedCount, base, input.count)
                return ZSTD_isError(restored) == 0 && restored == expectedCount
            default:
                return false
            }
        }
    }
}
