import Foundation
import MixAnalysis

/// The byte layout of one meter frame record (all integers little-endian), and how values are
/// quantized into it. Documented in `docs/frame-format.md`; a golden test pins it. Every field
/// is named once here (`Track`, `Master`, `ScopeField`) and written, read and tested through
/// those names.
///
/// ```
/// per track (trackCount times):        8 + 256 bytes
///   int16 rms, int16 peak                 centi-dB (dBFS × 100); Int16.min = silence
///   uint16 compressor GR, uint16 de-esser GR   centi-dB, ≥ 0
///   uint8 spectrum[256]                   dB + 120: 1 dB steps from −120 dB
/// uint8 pre-master spectrum[256], uint8 post-master spectrum[256]
/// master: uint16 bus GR, uint16 limiter GR, int16 rms, int16 sample peak, int16 true peak,
///         int16 momentary, int16 short-term,                      centi-dB / centi-LUFS
///         int16 integrated so far, int16 LRA so far, int16 true peak so far  (version 3)
///         uint16 lead room GR (the cut made in the beat for the lead)       (version 4)
///         Int16.min = none
/// scope × 3 (pre-master, post-master, final):
///   int16 correlation (× 32767), int8 waveform[512] (× 127), int8 mid[512], int8 side[512]
///   (the goniometer's points as (L ± R)/2 × 127)
/// ```
public struct FrameLayout: Sendable, Equatable {
    public static let bandCount = SpectrumAnalyzer.bandCount
    public static let scopePointCount = Scope.pointCount

    /// A track's fields: byte offsets from the start of its part of the record.
    public enum Track {
        /// int16 centi-dBFS: RMS over the frame's period.
        public static let rms = 0
        /// int16 centi-dBFS: sample peak.
        public static let peak = 2
        /// uint16 centi-dB: the compressor's deepest gain reduction.
        public static let compressorGR = 4
        /// uint16 centi-dB: the de-esser's deepest gain reduction.
        public static let deEsserGR = 6
        /// uint8 × 256: the spectrum.
        public static let spectrum = 8
        /// Bytes of one track's part.
        public static let bytes = spectrum + FrameLayout.bandCount
    }

    /// The master's fields: byte offsets from `masterOffset`.
    public enum Master {
        /// uint16 centi-dB: the bus compressor's deepest gain reduction.
        public static let busCompressorGR = 0
        /// uint16 centi-dB: the limiter's deepest gain reduction.
        public static let limiterGR = 2
        /// int16 centi-dBFS: RMS after the limiter.
        public static let rms = 4
        /// int16 centi-dBFS: sample peak after the limiter.
        public static let samplePeak = 6
        /// int16 centi-dBTP: the frame's true peak (4×).
        public static let truePeak = 8
        /// int16 centi-LUFS: momentary loudness (400 ms).
        public static let momentary = 10
        /// int16 centi-LUFS: short-term loudness (3 s).
        public static let shortTerm = 12
        /// int16 centi-LUFS: integrated loudness from the song's start to the frame's end.
        public static let integrated = 14
        /// int16 centi-LU: loudness range (EBU Tech 3342) from the start to the frame's end.
        public static let loudnessRange = 16
        /// int16 centi-dBTP: the highest true peak from the start to the frame's end.
        public static let truePeakMax = 18
        /// uint16 centi-dB: the deepest cut the beat took to make room for the lead (version 4).
        public static let leadRoomGR = 20
        /// The int16 fields (levels and loudness), which read "none" until the writing pass.
        public static let levelFields = [rms, samplePeak, truePeak, momentary, shortTerm, integrated, loudnessRange, truePeakMax]
        /// Bytes of the master's part in a record of `version`.
        public static func bytes(version: Int) -> Int { version >= 4 ? 22 : version >= 3 ? 20 : 14 }
    }

    /// A scope's fields: byte offsets from `scopeOffset(_:)`.
    public enum ScopeField {
        /// int16: L/R correlation × 32767.
        public static let correlation = 0
        /// int8 × 512: the waveform.
        public static let waveform = 2
        /// int8 × 512: goniometer mids, (L + R)/2.
        public static let mid = waveform + FrameLayout.scopePointCount
        /// int8 × 512: goniometer sides, (L − R)/2.
        public static let side = mid + FrameLayout.scopePointCount
        /// Bytes of one scope.
        public static let bytes = side + FrameLayout.scopePointCount
    }

    public static let trackBytes = Track.bytes
    public static let scopeBytes = ScopeField.bytes

    public let trackCount: Int
    /// The frame file version whose records this lays out (the master grew in version 3).
    public let version: Int

    public init(trackCount: Int, version: Int = FrameFileHeader.currentVersion) {
        self.trackCount = trackCount
        self.version = version
    }

    public func trackOffset(_ track: Int) -> Int { track * Self.trackBytes }
    public var preMasterSpectrumOffset: Int { trackCount * Self.trackBytes }
    public var postMasterSpectrumOffset: Int { preMasterSpectrumOffset + Self.bandCount }
    public var masterOffset: Int { postMasterSpectrumOffset + Self.bandCount }
    public var masterBytes: Int { Master.bytes(version: version) }
    /// 0: pre-master, 1: post-master, 2: final.
    public func scopeOffset(_ scope: Int) -> Int { masterOffset + masterBytes + scope * Self.scopeBytes }
    /// Bytes of one record.
    public var recordBytes: Int { scopeOffset(3) }

    /// Where each 256-band spectrum starts.
    var spectrumOffsets: [Int] {
        (0..<trackCount).map { trackOffset($0) + Track.spectrum } + [preMasterSpectrumOffset, postMasterSpectrumOffset]
    }

    /// Copies a record of this (older) layout into `target`, laid out as `current` (the same
    /// tracks), the fields this version lacks reading "none".
    func upgrade(_ record: UnsafeRawPointer, into target: UnsafeMutableRawPointer, as current: FrameLayout) {
        target.copyMemory(from: record, byteCount: masterOffset + masterBytes)
        let writer = FrameRecordWriter(bytes: target)
        for field in Master.levelFields where field >= masterBytes {
            writer.int16(FrameQuantizer.none, at: current.masterOffset + field)
        }
        // A reduction this version did not record was none.
        if Master.leadRoomGR >= masterBytes { writer.uint16(0, at: current.masterOffset + Master.leadRoomGR) }
        (target + current.scopeOffset(0)).copyMemory(from: record + scopeOffset(0), byteCount: 3 * Self.scopeBytes)
    }
}

/// Value ↔ byte conversions of the frame format.
public enum FrameQuantizer {
    /// Marks "no value" (silence, or a loudness not measured yet) in centi-dB fields.
    public static let none = Int16.min

    static func centiDB(_ value: Double?) -> Int16 {
        guard let value, value.isFinite, value > -300 else { return none }
        return Int16(max(-32767, min(32767, (value * 100).rounded())))
    }

    static func centiDBUnsigned(_ value: Double) -> UInt16 {
        UInt16(max(0, min(65535, (value * 100).rounded())))
    }

    static func spectrumByte(_ dB: Float) -> UInt8 {
        UInt8(max(0, min(255, (dB + 120).rounded())))
    }

    static func scopeByte(_ value: Float) -> Int8 {
        Int8(max(-127, min(127, (value * 127).rounded())))
    }

    static func correlationBits(_ value: Float) -> Int16 {
        Int16(max(-32767, min(32767, (value * 32767).rounded())))
    }

    public static func decibels(_ bits: Int16) -> Double? { bits == none ? nil : Double(bits) / 100 }
    public static func decibels(unsigned bits: UInt16) -> Double { Double(bits) / 100 }
    public static func spectrumDB(_ byte: UInt8) -> Float { Float(byte) - 120 }

    /// The power (10^(dB/10)) of each spectrum byte, for averaging spectra without `pow`.
    static let spectrumPower: [Double] = (0..<256).map { pow(10, Double(spectrumDB(UInt8($0))) / 10) }
    public static func scopeValue(_ byte: Int8) -> Float { Float(byte) / 127 }
    public static func correlation(_ bits: Int16) -> Float { Float(bits) / 32767 }
}

/// Writes values into a record's bytes at fixed offsets.
struct FrameRecordWriter {
    let bytes: UnsafeMutableRawPointer

    func int16(_ value: Int16, at offset: Int) { bytes.storeBytes(of: value.littleEndian, toByteOffset: offset, as: Int16.self) }
    func uint16(_ value: UInt16, at offset: Int) { bytes.storeBytes(of: value.littleEndian, toByteOffset: offset, as: UInt16.self) }

    /// 256 bands in dB at `offset`.
    func spectrum(_ bands: UnsafePointer<Float>, at offset: Int) {
        for band in 0..<FrameLayout.bandCount {
            bytes.storeBytes(of: FrameQuantizer.spectrumByte(bands[band]), toByteOffset: offset + band, as: UInt8.self)
        }
    }

    /// A scope snapshot at `offset`.
    func scope(_ snapshot: ScopeSnapshot, at offset: Int) {
        snapshot.waveform.withUnsafeBufferPointer { waveform in
            snapshot.goniometer.withUnsafeBufferPointer {
                scope(waveform: waveform, goniometer: $0, correlation: snapshot.correlation, at: offset)
            }
        }
    }

    /// A scope's points (512 waveform values, 512 interleaved mid/side pairs) at `offset`.
    func scope(waveform: UnsafeBufferPointer<Float>, goniometer: UnsafeBufferPointer<Float>, correlation: Float, at offset: Int) {
        typealias Field = FrameLayout.ScopeField
        int16(FrameQuantizer.correlationBits(correlation), at: offset + Field.correlation)
        let points = FrameLayout.scopePointCount
        for point in 0..<points {
            bytes.storeBytes(of: FrameQuantizer.scopeByte(waveform[point]), toByteOffset: offset + Field.waveform + point, as: Int8.self)
        }
        // The scope gives interleaved (L ± R)/√2 pairs; stored planar (all mids, then all sides,
        // which compress better) as (L ± R)/2 so a full-scale point fits a byte.
        for point in 0..<points {
            let mid = FrameQuantizer.scopeByte(goniometer[2 * point] * 0.70710678)
            let side = FrameQuantizer.scopeByte(goniometer[2 * point + 1] * 0.70710678)
            bytes.storeBytes(of: mid, toByteOffset: offset + Field.mid + point, as: Int8.self)
            bytes.storeBytes(of: side, toByteOffset: offset + Field.side + point, as: Int8.self)
        }
    }

    /// The newest snapshot of `scope` at `offset`, through `scratch` (no allocation).
    func scope(_ scope: Scope, scratch: ScopeScratch, at offset: Int) {
        let correlation = scope.snapshot(waveform: scratch.waveform, goniometer: scratch.goniometer)
        self.scope(
            waveform: UnsafeBufferPointer(scratch.waveform), goniometer: UnsafeBufferPointer(scratch.goniometer),
            correlation: correlation, at: offset)
    }
}

/// Reads values out of a record's bytes at fixed offsets.
struct FrameRecordReader {
    let bytes: UnsafeRawPointer

    func int16(_ offset: Int) -> Int16 { Int16(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: Int16.self)) }
    func uint16(_ offset: Int) -> UInt16 { UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self)) }
    /// A centi-dB field; nil for "none".
    func decibels(_ offset: Int) -> Double? { FrameQuantizer.decibels(int16(offset)) }
    /// An unsigned centi-dB field.
    func unsignedDecibels(_ offset: Int) -> Double { FrameQuantizer.decibels(unsigned: uint16(offset)) }
}

/// Buffers a scope snapshot is taken into, allocated once per render stage.
final class ScopeScratch {
    let waveform = UnsafeMutableBufferPointer<Float>.allocate(capacity: Scope.pointCount)
    let goniometer = UnsafeMutableBufferPointer<Float>.allocate(capacity: 2 * Scope.pointCount)

    deinit {
        waveform.deallocate()
        goniometer.deallocate()
    }
}
