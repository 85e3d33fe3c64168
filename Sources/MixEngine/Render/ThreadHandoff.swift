/// What the render hands its worker threads and queues that Swift cannot prove safe to share,
/// said once, here. Each use is safe by the render's own design: a reference used by one queue
/// at a time, a pointer whose bytes the workers touch disjointly or only read, a hand-off
/// through a barrier or a queue.

/// A value handed to other threads as it is (a pointer, a spool, a renderer with its meters).
struct Handed<Value>: @unchecked Sendable {
    let value: Value

    init(_ value: Value) {
        self.value = value
    }
}

/// A value handed between the render's threads and changed by each in turn (a hand-off through
/// a barrier or a queue, never at once).
final class Box<Value>: @unchecked Sendable {
    var value: Value

    init(_ value: Value) {
        self.value = value
    }
}
