import Foundation

/// Wall time per render stage, printed to standard error when `MIXDOWN_TIMING=1` (for finding
/// where a mix spends its time; benchmarks report the totals).
struct StageTiming {
    private let enabled = ProcessInfo.processInfo.environment["MIXDOWN_TIMING"] == "1"
    private var last = Date()

    mutating func mark(_ stage: String) {
        guard enabled else { return }
        let now = Date()
        FileHandle.standardError.write(Data(String(format: "timing: %-32@ %7.3f s\n", stage, now.timeIntervalSince(last)).utf8))
        last = now
    }
}
