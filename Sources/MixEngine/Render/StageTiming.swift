import Foundation

/// Wall and CPU time per render stage, printed to standard error when `MIXDOWN_TIMING=1` (for
/// finding where a mix spends its time, and how well it keeps the cores busy; benchmarks report
/// the totals).
struct StageTiming {
    private let enabled = ProcessInfo.processInfo.environment["MIXDOWN_TIMING"] == "1"
    private var last = Date()
    private var lastCPU = StageTiming.processCPUSeconds()

    mutating func mark(_ stage: String) {
        guard enabled else { return }
        let now = Date()
        let cpu = Self.processCPUSeconds()
        let wall = now.timeIntervalSince(last)
        FileHandle.standardError.write(Data(String(
            format: "timing: %-32@ %7.3f s wall %7.3f s CPU (%.2f cores)\n", stage, wall, cpu - lastCPU,
            wall > 0 ? (cpu - lastCPU) / wall : 0).utf8))
        last = now
        lastCPU = cpu
    }

    /// User and system time of every thread of the process so far.
    private static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
