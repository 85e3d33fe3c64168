import MixAnalysis

/// One meter frame (SPEC §4), decoded: what the meters showed over 1/fps s of audio.
public struct MeterFrame: Sendable, Equatable {
    /// One track's meters.
    public struct Track: Sendable, Equatable {
        public var name: String
        /// The name made unique among the frame's tracks (the key of the JSON shapes).
        public var key: String
        /// The stem's id, when the frame file has it.
        public var id: String?
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
        /// Integrated loudness from the song's start to the end of this frame.
        public var integratedLUFS: Double?
        /// Loudness range (EBU Tech 3342) from the start to the end of this frame.
        public var loudnessRangeLU: Double?
        /// The highest true peak from the start to the end of this frame.
        public var truePeakMaxDB: Double?
        /// The deepest cut the beat took for the lead over this frame (0 in files before version 4).
        public var leadRoomGainReductionDB: Double = 0
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
    /// Decodes a record laid out as `FrameLayout` (the current version) describes.
    public init(record: UnsafeRawPointer, index: Int, header: FrameFileHeader, isComplete: Bool) {
        let layout = FrameLayout(trackCount: header.tracks.count)
        let reader = FrameRecordReader(bytes: record)
        func spectrum(_ offset: Int) -> [Float] {
            (0..<FrameLayout.bandCount).map { FrameQuantizer.spectrumDB(record.load(fromByteOffset: offset + $0, as: UInt8.self)) }
        }
        func scope(_ which: Int) -> ScopeSnapshot {
            typealias Field = FrameLayout.ScopeField
            let offset = layout.scopeOffset(which)
            let points = FrameLayout.scopePointCount
            let waveform = (0..<points).map {
                FrameQuantizer.scopeValue(record.load(fromByteOffset: offset + Field.waveform + $0, as: Int8.self))
            }
            // Stored planar as (L ± R)/2; the scope's convention is interleaved (L ± R)/√2.
            let goniometer = (0..<(2 * points)).map { index in
                let line = index % 2 == 0 ? Field.mid : Field.side
                return FrameQuantizer.scopeValue(record.load(fromByteOffset: offset + line + index / 2, as: Int8.self)) * 1.41421356
            }
            return ScopeSnapshot(
                waveform: waveform, correlation: FrameQuantizer.correlation(reader.int16(offset + Field.correlation)),
                goniometer: goniometer)
        }
        self.index = index
        timeSeconds = Double(index) / Double(header.framesPerSecond)
        let keys = header.trackKeys
        tracks = header.tracks.enumerated().map { track, info in
            typealias Field = FrameLayout.Track
            let offset = layout.trackOffset(track)
            return Track(
                name: info.name, key: keys[track], id: info.id, rmsDB: reader.decibels(offset + Field.rms), peakDB: reader.decibels(offset + Field.peak),
                compressorGainReductionDB: reader.unsignedDecibels(offset + Field.compressorGR),
                deEsserGainReductionDB: reader.unsignedDecibels(offset + Field.deEsserGR),
                spectrumDB: spectrum(offset + Field.spectrum))
        }
        preMasterSpectrumDB = spectrum(layout.preMasterSpectrumOffset)
        postMasterSpectrumDB = spectrum(layout.postMasterSpectrumOffset)
        typealias Field = FrameLayout.Master
        let m = layout.masterOffset
        master = Master(
            busCompressorGainReductionDB: reader.unsignedDecibels(m + Field.busCompressorGR),
            limiterGainReductionDB: reader.unsignedDecibels(m + Field.limiterGR),
            rmsDB: reader.decibels(m + Field.rms), samplePeakDB: reader.decibels(m + Field.samplePeak),
            truePeakDB: reader.decibels(m + Field.truePeak), momentaryLUFS: reader.decibels(m + Field.momentary),
            shortTermLUFS: reader.decibels(m + Field.shortTerm), integratedLUFS: reader.decibels(m + Field.integrated),
            loudnessRangeLU: reader.decibels(m + Field.loudnessRange), truePeakMaxDB: reader.decibels(m + Field.truePeakMax),
            leadRoomGainReductionDB: reader.unsignedDecibels(m + Field.leadRoomGR))
        preMasterScope = scope(0)
        postMasterScope = scope(1)
        finalScope = scope(2)
        self.isComplete = isComplete
    }
}
