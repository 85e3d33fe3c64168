import Foundation
import HummingbirdWSClient
import Logging
import NIOWebSocket
import Synchronization
import Testing

/// A real WebSocket client (swift-websocket's) on a job's status socket: every message as
/// parsed JSON, and how the server closed.
struct StatusSocketReading: Sendable {
    struct Message: @unchecked Sendable {
        let json: [String: Any]
    }

    var messages: [Message]
    var closeCode: WebSocketErrorCode?

    /// Reads the socket until the server closes it (or `timeout` passes).
    static func read(port: Int, jobID: String, token: String?, timeout: Duration = .seconds(60)) async throws -> StatusSocketReading {
        let received = Received()
        let query = token.map { "?token=\($0)" } ?? ""
        let close = try await withThrowingTaskGroup(of: WebSocketCloseFrame?.self) { group in
            group.addTask {
                try await WebSocketClient.connect(
                    url: "ws://127.0.0.1:\(port)/ws/mix/status/\(jobID)\(query)",
                    configuration: .init(maxFrameSize: 1 << 16), logger: Logger(label: "test-socket")
                ) { inbound, _, _ in
                    for try await message in inbound.messages(maxSize: 1 << 24) {
                        guard case .text(let text) = message else { continue }
                        let json = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
                        received.append(Message(json: json))
                    }
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                Issue.record("the status socket of \(jobID) was not closed within \(timeout)")
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
        return StatusSocketReading(messages: received.messages, closeCode: close?.closeCode)
    }

    /// The messages so far, shared with the client's handler.
    private final class Received: Sendable {
        private let list = Mutex<[Message]>([])

        func append(_ message: Message) { list.withLock { $0.append(message) } }
        var messages: [Message] { list.withLock { $0 } }
    }
}
