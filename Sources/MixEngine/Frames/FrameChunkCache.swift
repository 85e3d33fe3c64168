import Synchronization

/// Decoded chunks of frame files, shared by every reader given it: fifty clients replaying one
/// job at about the same place decode each chunk once and hold one copy of it, not fifty. A
/// frame file never changes once it is in place (it is written under a temporary name and
/// renamed), so a chunk is known by the file's path and its number. The least recently used
/// chunks go first; memory is bounded by `capacity` chunks.
public final class FrameChunkCache: Sendable {
    private struct Key: Hashable {
        let path: String
        let chunk: Int
    }

    private struct State {
        var records: [Key: [UInt8]] = [:]
        /// Least recently used first.
        var order: [Key] = []
    }

    public let capacity: Int
    private let state = Mutex(State())

    public init(capacity: Int = 64) {
        self.capacity = max(1, capacity)
    }

    /// The decoded records of `chunk` of the file at `path`, made by `decode` when they are not here.
    func records(path: String, chunk: Int, decode: () throws -> [UInt8]) rethrows -> [UInt8] {
        let key = Key(path: path, chunk: chunk)
        if let records = state.withLock({ state in state.records[key].map { records in Self.touch(key, in: &state); return records } }) {
            return records
        }
        // Decoded outside the lock; two readers may decode the same chunk at once, and the first
        // stored is kept.
        let decoded = try decode()
        return state.withLock { state in
            if let records = state.records[key] {
                Self.touch(key, in: &state)
                return records
            }
            state.records[key] = decoded
            state.order.append(key)
            while state.order.count > capacity { state.records[state.order.removeFirst()] = nil }
            return decoded
        }
    }

    /// Chunks held now.
    public var count: Int { state.withLock { $0.records.count } }

    private static func touch(_ key: Key, in state: inout State) {
        if let index = state.order.firstIndex(of: key) { state.order.remove(at: index) }
        state.order.append(key)
    }
}
