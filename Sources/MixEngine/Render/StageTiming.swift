import Foundation

/// Wall and CPU time per render stage, printed to standard error when `MIXDOWN_TIMING=1` (for
/// finding where a mix spends its time, and how well it keeps the cores busy; benchmarks report
/// the totals).
struct StageTiming {
    private let enabled = ProcessInfo.processInfo.environment["MIXDOWN_TIMING"] == "1"
    private var last = Date()
    private var lastCPU = StageTiming.processCPUSeconds()

    init() {
        guard enabled, let started = Self.processStartUptime() else { return }
        // What came before the render: start-up and the session's inspection.
        let wall = ProcessInfo.processInfo.systemUptime - started
        FileHandle.standardError.write(Data(String(
            format: "timing: %-32@ %7.3f s wall %7.3f s CPU (%.2f cores)\n", "start-up and inspection", wall, lastCPU,
            wall > 0 ? lastCPU / wall : 0).utf8))
    }

    /// When the process started, in seconds of system uptime (Linux: /proc/self/stat, to the
    /// clock tick).
    private static func processStartUptime() -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name; the start time is field 22 of the whole line.
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        guard fields.count > 19, let ticks = Double(fields[19]) else { return nil }
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

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
