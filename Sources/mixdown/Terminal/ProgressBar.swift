import Foundation
import Synchronization

/// A progress bar on standard error: redrawn in place on a terminal, a plain line every 10 %
/// when piped. Safe to update from several threads; redraws at most ten times a second.
final class ProgressBar: Sendable {
    private struct State {
        var lastDraw = Date.distantPast
        var lastPlainStep = -1
        var fraction = 0.0
        var stage: String?
    }

    private let label: String
    private let isTerminal: Bool
    private let width = 30
    private let started = Date()
    private let state = Mutex(State())

    init(label: String) {
        self.label = label
        self.isTerminal = isatty(STDERR_FILENO) == 1
    }

    /// Shows `fraction` (0…1) done, and the stage when given ("mastering").
    func update(_ fraction: Double, stage: String? = nil) {
        let line: String? = state.withLock { state in
            state.fraction = max(state.fraction, min(1, fraction))
            let stageChanged = stage != nil && stage != state.stage
            if let stage { state.stage = stage }
            if isTerminal {
                let now = Date()
                guard now.timeIntervalSince(state.lastDraw) >= 0.1 || state.fraction >= 1 || stageChanged else { return nil }
                state.lastDraw = now
                return "\r" + render(state.fraction, stage: state.stage)
            }
            let step = Int(state.fraction * 10 + 1e-9)
            guard step > state.lastPlainStep else { return nil }
            state.lastPlainStep = step
            return "\(label)\(state.stage.map { " (\($0))" } ?? ""): \(step * 10) %\n"
        }
        if let line { FileHandle.standardError.write(Data(line.utf8)) }
    }

    /// Clears the bar from the terminal.
    func finish() {
        guard isTerminal else { return }
        FileHandle.standardError.write(Data(("\r" + String(repeating: " ", count: width + label.count + 52) + "\r").utf8))
    }

    private func render(_ fraction: Double, stage: String?) -> String {
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let elapsed = Date().timeIntervalSince(started)
        var eta = ""
        if fraction > 0.02, fraction < 1 {
            eta = String(format: "  ETA %.0f s", elapsed / fraction * (1 - fraction))
        }
        // Padded so a shorter stage name overwrites a longer one.
        let title = (label + (stage.map { " · \($0)" } ?? "")).padding(toLength: label.count + 20, withPad: " ", startingAt: 0)
        return String(format: "%@ %@ %3.0f %%", title, bar, fraction * 100) + eta + "     "
    }
}
