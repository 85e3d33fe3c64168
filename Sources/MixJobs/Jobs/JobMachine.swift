import Foundation
import MixEngine

/// A job's lifecycle as a value: events in, the new state and the actions to take out. No I/O,
/// so every transition and refusal is tested on its own; the store applies it in a transaction
/// and the worker pool carries out the actions.
///
/// - Progress is 0–100 and never goes back.
/// - Each state change yields exactly one timeline entry; progress alone yields none (meter
///   frames never reach the timeline at all).
/// - Stages only move forward; an ended job never moves again.
public struct JobMachine: Sendable, Equatable {
    /// What can happen to a job.
    public enum Event: Sendable, Equatable {
        /// A worker takes the job.
        case start
        /// The render reached `stage`, with the share of the whole mix done (0…1).
        case stage(MixStage, fraction: Double)
        /// The share of the whole mix done (0…1).
        case progress(Double)
        /// The mix and its files are in place.
        case finish
        /// The render failed; the reason is shown to the user.
        case fail(String)
        /// The user cancelled.
        case cancel
        /// The service found the job running at start-up: the process that ran it is gone.
        case interrupted
    }

    /// What the owner of the machine must do after an event.
    public enum Action: Sendable, Equatable {
        /// Append this entry to the job's timeline.
        case appendTimeline(TimelineEntry)
        /// Start rendering the job.
        case startRender
        /// Stop the job's render.
        case stopRender
    }

    public private(set) var state: JobState
    public private(set) var progress: Int
    public private(set) var message: String
    public private(set) var error: String?

    /// A new job, waiting for a worker.
    public init() {
        state = .queued
        progress = 0
        message = "waiting for a worker"
        error = nil
    }

    /// A job as stored.
    public init(state: JobState, progress: Int, message: String, error: String?) {
        self.state = state
        self.progress = max(0, min(100, progress))
        self.message = message
        self.error = error
    }

    /// Applies `event` at time `now`; returns what to do, or throws when the event is not
    /// allowed in the current state (the job is left as it was).
    public mutating func handle(_ event: Event, at now: Date) throws(JobTransitionError) -> [Action] {
        switch event {
        case .start:
            guard state == .queued else { throw refusal("start", because: "it is \(state.rawValue)") }
            return [.startRender] + move(to: .loading, message: "loading the stems", at: now)
        case .stage(let stage, let fraction):
            let target = JobState(stage)
            guard state.isRunning else { throw refusal("report \(target.rawValue)", because: "it is \(state.rawValue)") }
            guard let from = state.pathIndex, let to = target.pathIndex, to >= from else {
                throw refusal("go back to \(target.rawValue)", because: "it is already \(state.rawValue)")
            }
            raiseProgress(fraction)
            return to == from ? [] : move(to: target, message: Self.message(for: target), at: now)
        case .progress(let fraction):
            guard state.isRunning else { throw refusal("report progress", because: "it is \(state.rawValue)") }
            raiseProgress(fraction)
            return []
        case .finish:
            guard state.isRunning else { throw refusal("complete", because: "it is \(state.rawValue)") }
            progress = 100
            return move(to: .complete, message: "the mix is ready", at: now)
        case .fail(let reason):
            guard !state.isTerminal else { throw refusal("fail", because: "it has ended (\(state.rawValue))") }
            error = reason
            return move(to: .failed, message: "failed: \(reason)", at: now)
        case .cancel:
            guard !state.isTerminal else { throw refusal("cancel", because: "it has ended (\(state.rawValue))") }
            let wasRunning = state.isRunning
            return (wasRunning ? [.stopRender] : []) + move(to: .cancelled, message: "cancelled", at: now)
        case .interrupted:
            guard state.isRunning else { throw refusal("mark interrupted", because: "it is not running (\(state.rawValue))") }
            let reason = "the service stopped while this job was \(state.rawValue.replacingOccurrences(of: "_", with: " ")); start the mix again"
            error = reason
            return move(to: .failed, message: "failed: \(reason)", at: now)
        }
    }

    private mutating func raiseProgress(_ fraction: Double) {
        guard fraction.isFinite else { return }
        progress = max(progress, min(99, Int((fraction * 100).rounded(.down))))
    }

    private mutating func move(to newState: JobState, message newMessage: String, at now: Date) -> [Action] {
        state = newState
        message = newMessage
        return [.appendTimeline(TimelineEntry(state: newState, message: newMessage, progress: progress, at: now))]
    }

    private func refusal(_ what: String, because why: String) -> JobTransitionError {
        JobTransitionError(state: state, reason: "cannot \(what): \(why)")
    }

    static func message(for state: JobState) -> String {
        switch state {
        case .queued: return "waiting for a worker"
        case .loading: return "loading the stems"
        case .processingTracks: return "processing the tracks"
        case .mixing: return "mixing"
        case .mastering: return "mastering to the target"
        case .exporting: return "writing and checking the mix"
        case .complete: return "the mix is ready"
        case .failed: return "failed"
        case .cancelled: return "cancelled"
        }
    }
}

/// An event the job's state does not allow ("cannot cancel: it has ended (complete)").
public struct JobTransitionError: Error, Sendable, Equatable, CustomStringConvertible {
    public let state: JobState
    public let reason: String

    public var description: String { reason }
}
