import CAllocationCounter

/// Counts the heap allocations the current thread makes while `body` runs.
public func countAllocations(_ body: () -> Void) -> Int {
    mixdown_allocation_counting_begin()
    body()
    return mixdown_allocation_counting_end()
}
