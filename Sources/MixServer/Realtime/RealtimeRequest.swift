import Foundation
import Hummingbird

/// The query of `/ws/mix/realtime/{job_id}`: `fps` (10–60, default 30), `channels` (any of
/// meters, spectra, scope, loudness; default all), `encoding` (binary or json; default binary),
/// `from` (seconds into the song to replay from; default 0). Checked before the upgrade: a bad
/// value is refused with a 400 naming the parameter.
struct RealtimeRequest: Sendable, Equatable {
    enum Encoding: String, Sendable {
        case binary, json
    }

    static let framesPerSecondRange = 10...60
    static let defaultFramesPerSecond = 30

    var framesPerSecond = Self.defaultFramesPerSecond
    var channels = StreamChannels.all
    var encoding = Encoding.binary
    var fromSeconds = 0.0

    init() {}

    init(_ request: Request) throws {
        let query = request.uri.queryParameters
        if let text = query.get("fps") {
            guard let fps = Int(text), Self.framesPerSecondRange.contains(fps) else {
                throw APIError.badParameter("fps", "frames per second must be a whole number from 10 to 60 (got '\(text)')")
            }
            framesPerSecond = fps
        }
        if let text = query.get("channels") {
            switch StreamChannels.parse(text) {
            case .success(let channels): self.channels = channels
            case .failure(let error):
                let known = StreamChannels.named.map(\.name).joined(separator: ", ")
                throw APIError.badParameter(
                    "channels",
                    error.name.isEmpty
                        ? "name at least one channel: \(known)" : "no channel '\(error.name)'; channels are \(known)")
            }
        }
        if let text = query.get("encoding") {
            guard let encoding = Encoding(rawValue: text) else {
                throw APIError.badParameter("encoding", "no encoding '\(text)'; encodings are binary, json")
            }
            self.encoding = encoding
        }
        if let text = query.get("from") {
            guard let from = Double(text), from.isFinite, from >= 0 else {
                throw APIError.badParameter("from", "a time in seconds, 0 or more (got '\(text)')")
            }
            fromSeconds = from
        }
    }
}
