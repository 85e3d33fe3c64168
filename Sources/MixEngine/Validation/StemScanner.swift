import Foundation
import MixAnalysis
import MixDSP

/// One streaming pass over a file: checks its header against the file itself, decodes it in
/// blocks, checks every sample, and measures peak, loudness and content features on the way.
/// Memory does not grow with the file's length (apart from a 20-per-second pitch track).
public enum StemScanner {
    /// Frames decoded per block.
    public static let blockFrameCount = 8192
    /// Shorter files are not stems (a slip of the export dialog).
    public static let minimumDurationSeconds = 0.01

    /// Scans the file at `url`, shown as `displayName`. Never throws: a problem becomes the
    /// report's rejection. `analysis` says how much of the role guesser's features to measure
    /// (they cost time, and only stems whose role must be guessed need them); `progress` gets
    /// the share of the file decoded so far.
    public static func scan(
        url: URL, displayName: String, analysis: ContentAnalysis = .none, loudnessMeter: StemLoudnessMeter = .libebur128,
        progress: ((Double) -> Void)? = nil
    ) -> StemReport {
        var report = StemReport(fileName: displayName)
        report.url = url
        do {
            let (declared, kind) = try readHeader(url: url, report: &report)
            try decode(
                url: url, declared: declared, kind: kind, analysis: analysis, loudnessMeter: loudnessMeter, progress: progress,
                report: &report)
            noteExtensionMismatch(fileName: url.lastPathComponent, kind: kind, report: &report)
        } catch let rejection as InputRejection {
            report.rejection = rejection
            report.contentFeatures = nil
        } catch {
            report.rejection = InputRejection("cannot be read: \(error.localizedDescription)")
        }
        return report
    }

    // MARK: Header

    private static func readHeader(url: URL, report: inout StemReport) throws -> (DeclaredStream?, SniffedKind) {
        let attributes: [FileAttributeKey: Any]
        do {
            // A link is followed: what matters is the file it points to.
            attributes = try FileManager.default.attributesOfItem(atPath: url.resolvingSymlinksInPath().path)
        } catch {
            throw InputRejection("cannot be opened: the file does not exist or is not readable")
        }
        guard attributes[.type] as? FileAttributeType == .typeRegular else {
            throw InputRejection("not a regular file (a folder, a device or a pipe)")
        }
        let fileSize = (attributes[.size] as? NSNumber)?.uint64Value ?? 0
        guard fileSize > 0 else { throw InputRejection("the file is empty (0 bytes)") }
        let file = try HeaderFile(url: url, fileSize: fileSize)
        defer { file.close() }
        let kind = FileSniffer.sniff(try file.read(at: 0, count: FileSniffer.prefixLength))
        let declared: DeclaredStream?
        switch kind {
        case .riffWave, .rifxWave, .rf64Wave: declared = try WaveHeaderParser.parse(file, kind: kind)
        case .aiff: declared = try AIFFHeaderParser.parse(file)
        case .flac: declared = try FLACStreamInfo.parse(file)
        case .ogg, .mp3: declared = nil
        case .riffOther(let form):
            throw InputRejection("not WAVE audio: a RIFF file of type '\(form.trimmingCharacters(in: .whitespaces))'")
        case .truncatedHeader:
            throw InputRejection("truncated: the file ends inside its header")
        case .notAudio(let what):
            throw InputRejection("not an audio file: it is \(what)")
        case .unknown:
            throw InputRejection("not an audio file: its first bytes match no audio format (WAV, AIFF, FLAC, MP3, Ogg)")
        }
        if let declared {
            report.format = declared.format
            report.sampleRate = declared.sampleRate
            report.channelCount = declared.channelCount
            try checkDeclaredLength(declared)
            report.notes += declared.notes
        }
        return (declared, kind)
    }

    private static func checkDeclaredLength(_ declared: DeclaredStream) throws {
        guard let claimed = declared.declaredFrameCount, let present = declared.presentFrameCount else { return }
        let rate = Double(declared.sampleRate)
        if claimed == 0 {
            throw InputRejection("contains no audio: its data chunk is empty")
        }
        if present < claimed {
            let holds = present == 0 ? "no audio data at all" : DurationText.describe(frames: present, sampleRate: rate)
            throw InputRejection(
                "truncated: its header declares \(DurationText.describe(frames: claimed, sampleRate: rate)) of audio data, the file holds \(holds) (the file was cut short, or its header gives a wrong size)")
        }
    }

    private static func noteExtensionMismatch(fileName: String, kind: SniffedKind, report: inout StemReport) {
        let ext = (fileName as NSString).pathExtension.lowercased()
        let expected: [String: Set<SniffedKind>] = [
            "wav": [.riffWave, .rifxWave, .rf64Wave], "wave": [.riffWave, .rifxWave, .rf64Wave],
            "aif": [.aiff], "aiff": [.aiff], "aifc": [.aiff], "flac": [.flac], "mp3": [.mp3],
            "ogg": [.ogg], "oga": [.ogg], "opus": [.ogg],
        ]
        if let kinds = expected[ext], !kinds.contains(kind), let format = report.format?.container.rawValue {
            report.notes.append("its extension says .\(ext) but the content is \(format); read as \(format)")
        }
    }

    // MARK: Decode

    private static func decode(
        url: URL, declared: DeclaredStream?, kind: SniffedKind, analysis: ContentAnalysis, loudnessMeter: StemLoudnessMeter,
        progress: ((Double) -> Void)?, report: inout StemReport
    ) throws {
        let reader: SndFileReader
        do {
            reader = try SndFileReader(url: url)
        } catch {
            // libsndfile's own words mislead here ("not a regular file (possibly a pipe?)").
            switch kind {
            case .mp3: throw InputRejection("contains no audio: no MP3 audio frames could be found (only a tag, or damaged data)")
            case .ogg: throw InputRejection("contains no audio: no Vorbis or Opus stream could be read in this Ogg file")
            default: throw InputRejection("damaged: the decoder cannot read this \(report.format?.container.rawValue ?? "audio") file")
            }
        }
        if let declared {
            guard reader.channelCount == declared.channelCount, reader.sampleRate == declared.sampleRate else {
                throw InputRejection(
                    "inconsistent header: the decoder reads \(reader.channelCount) channels at \(reader.sampleRate) Hz where the header says \(declared.channelCount) at \(declared.sampleRate) Hz")
            }
        } else {
            try HeaderRules.checkChannelCount(reader.channelCount)
            try HeaderRules.checkSampleRate(reader.sampleRate)
            report.format = reader.decodedFormat
            report.sampleRate = reader.sampleRate
            report.channelCount = reader.channelCount
        }
        let channels = reader.channelCount
        guard let layout = ChannelLayout.standard(channelCount: channels, order: reader.channelOrder) else {
            throw InputRejection("too many channels: \(channels)")
        }
        let fold = ChannelFold(layout: layout)
        if fold.isDownmix {
            report.notes.append("\(channels) channels, read as \(fold.layoutName), folded to stereo (ITU-R BS.775)")
        }
        let tally = try streamSamples(
            reader: reader, analysis: analysis, loudnessMeter: loudnessMeter, layout: layout,
            expectedFrameCount: declared?.presentFrameCount ?? reader.reportedFrameCount, progress: progress)
        report.frameCount = tally.frameCount
        report.peakDBFS = tally.peak > 0 ? Decibels.fromAmplitude(Double(tally.peak)) : nil
        report.loudnessLUFS = tally.loudnessLUFS
        report.contentFeatures = tally.features
        try check(tally, declared: declared, sampleRate: reader.sampleRate, url: url)
        noteLevels(report: &report)
    }

    /// What the decode pass counted.
    private struct Tally {
        var frameCount: Int64 = 0
        var peak: Float = 0
        var nanCount = 0
        var infinityCount = 0
        var firstNonFiniteFrame: Int64?
        var loudnessLUFS: Double?
        var features: ContentFeatures?
    }

    private static func streamSamples(
        reader: SndFileReader, analysis: ContentAnalysis, loudnessMeter: StemLoudnessMeter, layout: ChannelLayout,
        expectedFrameCount: Int64, progress: ((Double) -> Void)?
    ) throws -> Tally {
        let channels = reader.channelCount
        let capacity = blockFrameCount * channels
        let block = UnsafeMutablePointer<Float>.allocate(capacity: capacity)
        defer { block.deallocate() }
        let meter = try StemLoudness(
            meter: loudnessMeter, layout: layout, sampleRate: reader.sampleRate, maxFrameCount: blockFrameCount)
        let features = analysis == .none
            ? nil
            : ContentFeatureExtractor(
                sampleRate: reader.sampleRate, maxFrameCount: blockFrameCount, tracksPitch: analysis == .featuresAndPitch)
        var tally = Tally()
        while true {
            let frames = reader.read(into: block, frameCount: blockFrameCount)
            guard frames > 0 else { break }
            var peak = tally.peak
            for index in 0..<frames * channels {
                let sample = block[index]
                if sample.isFinite {
                    peak = max(peak, abs(sample))
                    continue
                }
                if sample.isNaN { tally.nanCount += 1 } else { tally.infinityCount += 1 }
                if tally.firstNonFiniteFrame == nil { tally.firstNonFiniteFrame = tally.frameCount + Int64(index / channels) }
                block[index] = 0  // keep the meters finite; the file is rejected below anyway
            }
            tally.peak = peak
            meter.add(block, frameCount: frames)
            features?.add(interleaved: block, frameCount: frames, channelCount: channels)
            tally.frameCount += Int64(frames)
            if let progress, expectedFrameCount > 0 {
                progress(min(1, Double(tally.frameCount) / Double(expectedFrameCount)))
            }
        }
        tally.loudnessLUFS = meter.integratedLUFS
        tally.features = features?.finish()
        return tally
    }

    private static func check(_ tally: Tally, declared: DeclaredStream?, sampleRate: Int, url: URL) throws {
        let rate = Double(sampleRate)
        if tally.nanCount + tally.infinityCount > 0 {
            let at = Double(tally.firstNonFiniteFrame ?? 0) / rate
            throw InputRejection(
                "damaged samples: \(tally.nanCount) NaN and \(tally.infinityCount) Inf (infinite) values, the first at \(String(format: "%.3f", at)) s; a float file with values that are not numbers cannot be mixed")
        }
        if let expected = declared?.presentFrameCount ?? declared?.declaredFrameCount, tally.frameCount < expected {
            // A FLAC stream whose frames reach its declared end, and that stopped decoding well
            // before its last frame, is damaged inside rather than cut.
            if declared?.format.container == .flac, let tail = try? FLACStreamInfo.lastFrameEnd(url: url),
                tail.end >= expected, expected - tally.frameCount > tail.blockSize
            {
                throw InputRejection(
                    "corrupt: the FLAC stream has a damaged frame (CRC error, decoder lost sync) at \(String(format: "%.1f", Double(tally.frameCount) / rate)) s; the rest of the file cannot be decoded")
            }
            throw InputRejection(
                "truncated: its header declares \(DurationText.describe(frames: expected, sampleRate: rate)), the file holds \(DurationText.describe(frames: tally.frameCount, sampleRate: rate)) (the file was cut short)")
        }
        if tally.frameCount == 0 {
            throw InputRejection("contains no audio: the decoder found no audio frames in it")
        }
        if Double(tally.frameCount) / rate < minimumDurationSeconds {
            throw InputRejection(
                "too short: \(tally.frameCount) sample frame(s), under \(Int(minimumDurationSeconds * 1000)) ms; not a usable stem")
        }
    }

    private static func noteLevels(report: inout StemReport) {
        guard let peak = report.peakDBFS else {
            report.notes.append("silent: digital silence from start to end (it adds nothing to the mix)")
            return
        }
        if peak > 0.001 {
            report.notes.append(
                String(format: "peaks at %+.1f dBFS, above full scale (legal in float): the loudness match turns it down", peak))
        }
        if report.loudnessLUFS == nil {
            report.notes.append("no gated loudness: too quiet or too short for BS.1770; it is left at its level")
        }
    }
}
