import Dispatch
import MixDSP

/// Hands stereo blocks from one thread to another through a few preallocated slots: the master
/// computes (gain, limiter, dither) on one core while its meters and the file writer run on the
/// other. The producer waits only when every slot is full, so memory stays fixed; the order is
/// kept, so the output is the same bits as a single thread's.
final class BlockHandoff: @unchecked Sendable {
    /// One block: the post-master samples (after the limiter), the final ones (after dither).
    struct Slot {
        let postLeft: UnsafeMutablePointer<Float>
        let postRight: UnsafeMutablePointer<Float>
        let finalLeft: UnsafeMutablePointer<Float>
        let finalRight: UnsafeMutablePointer<Float>
        /// Frames in the block; −1 marks the end of the stream.
        var frameCount = 0
        /// The meter frame the block is.
        var frame = 0
        var limiterGainReduction = GainReductionReadout()
    }

    // Raw memory, not an array: the two threads touch different slots at once, which an array
    // property's exclusivity checks would count as overlapping accesses.
    private let slots: UnsafeMutablePointer<Slot>
    private let slotCount: Int
    private let free: DispatchSemaphore
    private let filled = DispatchSemaphore(value: 0)
    private var produced = 0
    private var consumed = 0

    init(slotCount: Int = 8, capacity: Int) {
        self.slotCount = slotCount
        slots = .allocate(capacity: slotCount)
        for index in 0..<slotCount {
            (slots + index).initialize(
                to: Slot(
                    postLeft: .allocate(capacity: capacity), postRight: .allocate(capacity: capacity),
                    finalLeft: .allocate(capacity: capacity), finalRight: .allocate(capacity: capacity)))
        }
        free = DispatchSemaphore(value: slotCount)
    }

    deinit {
        for index in 0..<slotCount {
            let slot = slots[index]
            slot.postLeft.deallocate()
            slot.postRight.deallocate()
            slot.finalLeft.deallocate()
            slot.finalRight.deallocate()
        }
        slots.deinitialize(count: slotCount)
        slots.deallocate()
    }

    // MARK: Producer side

    /// Waits for a free slot, lets `fill` write it, and passes it on.
    func produce(_ fill: (inout Slot) -> Void) {
        free.wait()
        let index = produced % slotCount
        fill(&slots[index])
        produced += 1
        filled.signal()
    }

    /// Tells the consumer there is nothing more.
    func finish() {
        produce { $0.frameCount = -1 }
    }

    // MARK: Consumer side

    /// Runs `body` on each block in order until the end mark.
    func consume(_ body: (Slot) -> Void) {
        while true {
            filled.wait()
            let slot = slots[consumed % slotCount]
            consumed += 1
            if slot.frameCount >= 0 { body(slot) }
            // Every slot taken is given back, the end mark too: libdispatch refuses to dispose
            // of a semaphore left below its starting value.
            free.signal()
            if slot.frameCount < 0 { return }
        }
    }
}
