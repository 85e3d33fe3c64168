import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import MixServer
import NIOCore
import ServiceLifecycle
import Synchronization
import Testing

/// The real service (`buildService`: the HTTP server and the worker pool in one service group,
/// as `mixdown serve` runs them) on 127.0.0.1 at a free port, with an HTTP client on it; shut down
/// gracefully when the test is done.
enum LiveServer {
    static func run<Value: Sendable>(
        _ configuration: ServerConfiguration, _ test: @Sendable (LiveClient) async throws -> Value
    ) async throws -> Value {
        var configuration = configuration
        configuration.port = 0
        let port = PortBox()
        let service = try await buildService(configuration) { port.set($0) }
        let group = ServiceGroup(configuration: .init(services: [.init(service: service)], logger: Logger(label: "test")))
        return try await withThrowingTaskGroup(of: Value?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            let client = TestClient(host: "127.0.0.1", port: await port.value, configuration: .init(timeout: .seconds(120)))
            client.connect()
            let outcome: Result<Value, any Error>
            do {
                outcome = .success(try await test(LiveClient(client: client, port: await port.value)))
            } catch {
                outcome = .failure(error)
            }
            try? await client.shutdown()
            await group.triggerGracefulShutdown()
            while try await tasks.next() != nil {}
            return try outcome.get()
        }
    }

    /// The port, once the server listens.
    private final class PortBox: Sendable {
        private let state = Mutex<(port: Int?, waiters: [CheckedContinuation<Int, Never>])>((nil, []))

        func set(_ port: Int) {
            let waiters = state.withLock { state in
                state.port = port
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume(returning: port) }
        }

        var value: Int {
            get async {
                await withCheckedContinuation { continuation in
                    let port = state.withLock { state -> Int? in
                        if state.port == nil { state.waiters.append(continuation) }
                        return state.port
                    }
                    if let port { continuation.resume(returning: port) }
                }
            }
        }
    }
}

/// An HTTP client on the live server (one keep-alive connection).
struct LiveClient: Sendable {
    let client: TestClient
    let port: Int?

    func execute(uri: String, method: HTTPRequest.Method, headers: HTTPFields = [:], body: ByteBuffer? = nil) async throws -> LiveResponse {
        var headers = headers
        headers[.connection] = "keep-alive"
        let response = try await client.execute(TestClient.Request(uri, method: method, authority: "localhost", headers: headers, body: body))
        return LiveResponse(head: response.head, body: response.body ?? ByteBuffer())
    }
}

/// A response, as the tests read it.
struct LiveResponse: Sendable {
    let head: HTTPResponse
    let body: ByteBuffer
    var status: HTTPResponse.Status { head.status }
    var headers: HTTPFields { head.headerFields }
}
