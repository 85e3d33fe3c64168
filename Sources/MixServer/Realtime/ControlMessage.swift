import Foundation

/// What a client sends on the realtime stream to keep a replay in step with its player:
/// `{"play": t}`, `{"pause": t}`, `{"seek": t}`, t in seconds of the song (a player's `currentTime`).
enum ControlMessage: Sendable, Equatable {
    case play(Double)
    case pause(Double)
    case seek(Double)

    /// Parses one text message; the error says what was wrong, for the client.
    static func parse(_ text: String) -> Result<ControlMessage, ControlError> {
        guard text.utf8.count <= 1024 else { return .failure(ControlError("a control message is at most 1024 bytes")) }
        guard case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else {
            return .failure(ControlError(#"not a JSON object; send {"play": t}, {"pause": t} or {"seek": t}"#))
        }
        guard object.count == 1, let (key, value) = object.first else {
            return .failure(ControlError(#"one key per message: {"play": t}, {"pause": t} or {"seek": t}"#))
        }
        guard case .number(let seconds) = value, seconds.isFinite, seconds >= 0 else {
            return .failure(ControlError("\(key): a time in seconds, 0 or more"))
        }
        switch key {
        case "play": return .success(.play(seconds))
        case "pause": return .success(.pause(seconds))
        case "seek": return .success(.seek(seconds))
        default: return .failure(ControlError(#"no control '\#(key)'; controls are play, pause, seek"#))
        }
    }

    struct ControlError: Error, Sendable, Equatable {
        let message: String
        init(_ message: String) { self.message = message }
    }
}
