import Foundation
import Synchronization

/// One clock per frame rate, shared by every realtime socket at that rate: a single task ticks on
/// a fixed grid and calls each socket's tick in turn. Fifty sockets at 60 fps wake the machine 60
/// times a second, not 3,000 (a timer per socket spent most of the server's CPU switching
/// threads), and their frames go out together, in one burst per tick.
final class FrameMetronome: Sendable {
    typealias Tick = @Sendable (ContinuousClock.Instant) -> Void

    let framesPerSecond: Int
    private let subscribers = Mutex<[UUID: Tick]>([:])
    private let task = Mutex<Task<Void, Never>?>(nil)

    private init(framesPerSecond: Int) {
        self.framesPerSecond = framesPerSecond
    }

    /// The metronome of `framesPerSecond` (one per rate, for the life of the process: at most 51;
    /// its task runs only while someone listens).
    static func shared(_ framesPerSecond: Int) -> FrameMetronome {
        metronomes.withLock { metronomes in
            if let metronome = metronomes[framesPerSecond] { return metronome }
            let metronome = FrameMetronome(framesPerSecond: framesPerSecond)
            metronomes[framesPerSecond] = metronome
            return metronome
        }
    }

    private static let metronomes = Mutex<[Int: FrameMetronome]>([:])

    /// Calls `tick` with the tick's time on the grid at every tick until the returned subscription
    /// is cancelled.
    func subscribe(_ tick: @escaping Tick) -> Subscription {
        let id = UUID()
        subscribers.withLock { $0[id] = tick }
        task.withLock { task in
            if task == nil { task = Task.detached { await self.run() } }
        }
        return Subscription { [weak self] in
            self?.subscribers.withLock { _ = $0.removeValue(forKey: id) }
        }
    }

    /// Ends a subscription.
    struct Subscription: Sendable {
        fileprivate let end: @Sendable () -> Void
        func cancel() { end() }
    }

    /// Ticks while anyone listens; stops when the last subscriber leaves.
    private func run() async {
        let clock = ContinuousClock()
        let interval = Duration.nanoseconds(1_000_000_000 / Int64(framesPerSecond))
        var next = clock.now
        while true {
            next = next.advanced(by: interval)
            // Behind (the machine was busy): the grid moves on from now rather than bursting.
            if next < clock.now { next = clock.now.advanced(by: interval) }
            try? await clock.sleep(until: next)
            let ticks = task.withLock { task -> [Tick]? in
                let ticks = subscribers.withLock { Array($0.values) }
                if ticks.isEmpty { task = nil }
                return ticks.isEmpty ? nil : ticks
            }
            guard let ticks else { return }
            // The tick's time on the grid, not when the task woke: a replay's frames then advance
            // by exactly one frame period a tick, whatever the wake-up's jitter.
            for tick in ticks { tick(next) }
        }
    }
}
