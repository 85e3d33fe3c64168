import Foundation
import MixEngine
import MixJobs
import Testing

@Suite("job state machine (no I/O)")
struct JobMachineTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    /// The happy path's events.
    func run(_ machine: inout JobMachine) throws -> [JobMachine.Action] {
        var actions: [JobMachine.Action] = []
        actions += try machine.handle(.start, at: t0)
        for (index, stage) in MixStage.allCases.enumerated() {
            actions += try machine.handle(.stage(stage, fraction: Double(index) / 5), at: t0 + Double(index))
            actions += try machine.handle(.progress(Double(index) / 5 + 0.1), at: t0 + Double(index))
        }
        actions += try machine.handle(.finish, at: t0 + 10)
        return actions
    }

    @Test("the happy path: queued → loading → … → complete, one timeline entry per state, progress to 100")
    func happyPath() throws {
        var machine = JobMachine()
        #expect(machine.state == .queued && machine.progress == 0)
        let actions = try run(&machine)
        #expect(machine.state == .complete && machine.progress == 100 && machine.error == nil)
        #expect(actions.first == .startRender)
        let states = actions.compactMap { action -> JobState? in
            if case .appendTimeline(let entry) = action { return entry.state }
            return nil
        }
        #expect(states == [.loading, .processingTracks, .mixing, .mastering, .exporting, .complete])
    }

    @Test("progress never goes back and stays under 100 until the job completes")
    func progressMonotonic() throws {
        var machine = JobMachine()
        _ = try machine.handle(.start, at: t0)
        _ = try machine.handle(.progress(0.6), at: t0)
        #expect(machine.progress == 60)
        _ = try machine.handle(.progress(0.3), at: t0)
        #expect(machine.progress == 60)
        _ = try machine.handle(.progress(1.5), at: t0)
        #expect(machine.progress == 99)
        _ = try machine.handle(.progress(.nan), at: t0)
        #expect(machine.progress == 99)
        // Progress alone never makes a timeline entry.
        #expect(try machine.handle(.progress(0.995), at: t0).isEmpty)
    }

    @Test("a stage reported again makes no entry; an earlier one is refused")
    func stagesOnlyForward() throws {
        var machine = JobMachine()
        _ = try machine.handle(.start, at: t0)
        _ = try machine.handle(.stage(.mastering, fraction: 0.6), at: t0)
        #expect(try machine.handle(.stage(.mastering, fraction: 0.7), at: t0).isEmpty)
        #expect(machine.progress == 70)
        #expect(throws: JobTransitionError.self) { try machine.handle(.stage(.mixing, fraction: 0.8), at: t0) }
        #expect(machine.state == .mastering && machine.progress == 70)
    }

    @Test(
        "refusals: what an ended or waiting job cannot do",
        arguments: [
            (JobState.queued, JobMachine.Event.finish), (.queued, .progress(0.5)), (.queued, .stage(.mixing, fraction: 0.5)),
            (.queued, .interrupted), (.loading, .start), (.complete, .cancel), (.complete, .fail("x")), (.failed, .start),
            (.cancelled, .cancel), (.cancelled, .progress(0.9)), (.complete, .stage(.exporting, fraction: 1)),
        ])
    func refusals(state: JobState, event: JobMachine.Event) throws {
        var machine = JobMachine(state: state, progress: 40, message: "m", error: nil)
        let before = machine
        #expect(throws: JobTransitionError.self) { try machine.handle(event, at: t0) }
        #expect(machine == before, "a refused event changes nothing")
    }

    @Test("cancel stops a running render; a queued job is cancelled without one")
    func cancel() throws {
        var running = JobMachine()
        _ = try running.handle(.start, at: t0)
        let actions = try running.handle(.cancel, at: t0)
        #expect(actions.first == .stopRender)
        #expect(running.state == .cancelled)
        var queued = JobMachine()
        #expect(!(try queued.handle(.cancel, at: t0)).contains(.stopRender))
        #expect(queued.state == .cancelled)
    }

    @Test("a failure keeps its reason; an interrupted running job fails saying why")
    func failures() throws {
        var machine = JobMachine()
        _ = try machine.handle(.start, at: t0)
        _ = try machine.handle(.fail("Dbl L.wav: truncated"), at: t0)
        #expect(machine.state == .failed && machine.error == "Dbl L.wav: truncated")
        var interrupted = JobMachine()
        _ = try interrupted.handle(.start, at: t0)
        _ = try interrupted.handle(.stage(.mastering, fraction: 0.6), at: t0)
        _ = try interrupted.handle(.interrupted, at: t0)
        #expect(interrupted.state == .failed)
        #expect(interrupted.error?.contains("the service stopped while this job was mastering") == true)
    }
}
