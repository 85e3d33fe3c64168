import Foundation
import MixAnalysis
import MixEngine
import MixJobs

/// The text messages of the realtime stream besides frames (`docs/realtime-stream.md`).
enum StreamMessages {
    /// `{"type":"stream", …}`: what the frames that follow hold and how to read them. Sent once
    /// the render has begun (live) and again when the stream turns to replay.
    struct Description: Encodable {
        struct Track: Encodable {
            let index: Int
            let id: String?
            let name: String
            /// The track's key in the JSON shapes (the name, made unique).
            let key: String
            let role: Role
        }

        struct Section: Encodable {
            let offset: Int
            let bytes: Int
        }

        struct Binary: Encodable {
            let prefixBytes: Int
            let messageBytes: Int
            let sections: [String: Section]

            enum CodingKeys: String, CodingKey {
                case sections
                case prefixBytes = "prefix_bytes", messageBytes = "message_bytes"
            }
        }

        let type = "stream"
        let version = Int(RealtimeLayout.version)
        let jobID: String
        /// "live" (frames as the render makes them) or "replay" (from the frame file, in audio time).
        let mode: String
        let encoding: String
        let fps: Int
        let channels: [String]
        /// The job's own frames: how many a second of audio, how many in all.
        let framesPerSecond: Int
        let frameCount: Int
        let durationS: Double
        let sampleRate: Int
        let tracks: [Track]
        let bandCentersHz: [Double]
        let scopePoints: Int
        let binary: Binary?
        /// In replay: whether it plays, and from where.
        let playing: Bool?
        let positionS: Double?

        enum CodingKeys: String, CodingKey {
            case type, version, mode, encoding, fps, channels, tracks, binary, playing
            case jobID = "job_id", framesPerSecond = "frames_per_second", frameCount = "frame_count"
            case durationS = "duration_s", sampleRate = "sample_rate", bandCentersHz = "band_centers_hz"
            case scopePoints = "scope_points", positionS = "position_s"
        }

        init(jobID: String, header: FrameFileHeader, request: RealtimeRequest, replay: ReplayClock?, now: ContinuousClock.Instant) {
            self.jobID = jobID
            mode = replay == nil ? "live" : "replay"
            encoding = request.encoding.rawValue
            fps = request.framesPerSecond
            channels = request.channels.names
            framesPerSecond = header.framesPerSecond
            frameCount = header.frameCount
            durationS = Double(header.frameCount) / Double(header.framesPerSecond)
            sampleRate = header.sampleRate
            let keys = header.trackKeys
            tracks = header.tracks.enumerated().map { index, track in
                Track(index: index, id: track.id, name: track.name, key: keys[index], role: track.role)
            }
            bandCentersHz = SpectrumAnalyzer.bandCenters().map { ($0 * 100).rounded() / 100 }
            scopePoints = FrameLayout.scopePointCount
            if request.encoding == .binary {
                let layout = RealtimeLayout(channels: request.channels, trackCount: header.tracks.count)
                binary = Binary(
                    prefixBytes: RealtimeLayout.prefixBytes, messageBytes: layout.messageBytes,
                    sections: Dictionary(uniqueKeysWithValues: layout.sections.map { ($0.name, Section(offset: $0.offset, bytes: $0.bytes)) }))
            } else {
                binary = nil
            }
            playing = replay?.isPlaying
            positionS = replay?.positionS(at: now)
        }
    }

    /// `{"type":"job", …}`: the job changed state.
    struct Job: Encodable {
        let type = "job"
        let job: JobRecord

        enum CodingKeys: String, CodingKey {
            case type, state, progress, message, error
            case jobID = "job_id"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(type, forKey: .type)
            try c.encode(job.id, forKey: .jobID)
            try c.encode(job.state, forKey: .state)
            try c.encode(job.progress, forKey: .progress)
            try c.encode(job.message, forKey: .message)
            try c.encode(job.error, forKey: .error)
        }
    }

    /// `{"type":"playback","playing":…,"position_s":…}`: where the replay is after a control.
    struct Playback: Encodable {
        let type = "playback"
        let playing: Bool
        let positionS: Double

        enum CodingKeys: String, CodingKey {
            case type, playing
            case positionS = "position_s"
        }
    }

    /// `{"type":"error","error":{"code","message"}}`: a control message that was not understood;
    /// the stream goes on.
    struct Failure: Encodable {
        struct Details: Encodable {
            let code: String
            let message: String
        }

        let type = "error"
        let error: Details
    }

    /// `{"type":"bye","reason":…}`: the server closes the stream (the service is shutting down).
    struct Bye: Encodable {
        let type = "bye"
        let reason: String
    }

    static func text(_ message: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(message)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
