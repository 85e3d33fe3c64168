import MixAnalysis

/// One meter frame (SPEC §4), decoded: what the meters showed over 1/fps s of audio.
public struct MeterFrame: Sendable, Equatable {
    /// One track's meters.
    public struct Track: Sendable, Equatable {
        public var name: String
        public var rmsDB: Double?
        public var peakDB: Double?
        public var compressorGainReductionDB: Double
        public var deEsserGainReductionDB: Double
        /// 256 bands, 20 Hz–20 kHz, dB.
        public var spectrumDB: [Float]
    }

    /// The master bus's meters (nil fields: not measured yet, or silence).
    public struct Master: Sendable, Equatable {
        public var busCompressorGainReductionDB: Double
        public var limiterGainReductionDB: Double
        public var rmsDB: Double?
        public var samplePeakDB: Double?
        public var truePeakDB: Double?
        public var momentaryLUFS: Double?
        public var shortTermLUFS: Double?
    }

    /// The frame's number; it covers audio from `index / fps` seconds.
    public var index: Int
    public var timeSeconds: Double
    public var tracks: [Track]
    public var preMasterSpectrumDB: [Float]
    public var postMasterSpectrumDB: [Float]
    public var master: Master
    public var preMasterScope: ScopeSnapshot
    public var postMasterScope: ScopeSnapshot
    public var finalScope: ScopeSnapshot
    /// False while only the first pass has run (tracks, pre-master and the bus compressor).
    public var isComplete: Bool
}

extension MeterFrame {
    /// Decodes a record laid out as `FrameLayout` describes.
    init(record: UnsafeRawPointer, index: Int, header: FrameFileHeader, isComplete: Bool) {
        let layout = FrameLayout(trackCount: header.tracks.count)
        func int16(_ offset: Int) -> Int16 { Int16(littleEndian: record.loadUnaligned(fromByteOffset: offset, as: Int16.self)) }
        func uint16(_ offset: Int) -> UInt16 { UInt16(littleEndian: record.loadUnaligned(fromByteOffset: offset, as: UInt16.self)) }
        func spectrum(_ offset: Int) -> [Float] {
            (0..<FrameLayout.bandCount).map { FrameQuantizer.spectrumDB(record.load(fromByteOffset: offset + $0, as: UInt8.self)) }
        }
        func scope(_ which: Int) -> ScopeSnapshot {
            let offset = layout.scopeOffset(which)
            let points = FrameLayout.scopePointCount
            let waveform = (0..<points).map { FrameQuantizer.scopeValue(record.load(fromByteOffset: offset + 2 + $0, as: Int8.self)) }
            // Stored planar as (L ± R)/2; the scope's convention is interleaved (L ± R)/√2.
            let goniometer = (0..<(2 * points)).map { index in
                let plane = index % 2 == 0 ? 1 : 2
                return FrameQuantizer.scopeValue(
                    record.load(fromByteOffset: offset + 2 + plane * points + index / 2, as: Int8.self)) * 1.41421356
            }
            return ScopeSnapshot(waveform: waveform, correlation: FrameQuantizer.correlation(int16(offset)), goniometer: goniometer)
        }
        self.index = index
        timeSeconds = Double(index) / Double(header.framesPerSecond)
        tracks = header.tracks.enumerated().map { track, info in
            let offset = layout.trackOffset(track)
            return Track(
                name: info.name, rmsDB: FrameQuantizer.decibels(int16(offset)), peakDB: FrameQuantizer.decibels(int16(offset + 2)),
                compressorGainReductionDB: FrameQuantizer.decibels(unsigned: uint16(offset + 4)),
                deEsserGainReductionDB: FrameQuantizer.decibels(unsigned: uint16(offset + 6)),
                spectrumDB: spectrum(offset + 8))
        }
        preMasterSpectrumDB = spectrum(layout.preMasterSpectrumOffset)
        postMasterSpectrumDB = spectrum(layout.postMasterSpectrumOffset)
        let m = layout.masterOffset
        master = Master(
            busCompressorGainReductionDB: FrameQuantizer.decibels(unsigned: uint16(m)),
            limiterGainReductionDB: FrameQuantizer.decibels(unsigned: uint16(m + 2)),
            rmsDB: FrameQuantizer.decibels(int16(m + 4)), samplePeakDB: FrameQuantizer.decibels(int16(m + 6)),
            truePeakDB: FrameQuantizer.decibels(int16(m + 8)), momentaryLUFS: FrameQuantizer.decibels(int16(m + 10)),
            shortTermLUFS: FrameQuantizer.decibels(int16(m + 12)))
        preMasterScope = scope(0)
        postMasterScope = scope(1)
        finalScope = scope(2)
        self.isComplete = isComplete
    }
}
