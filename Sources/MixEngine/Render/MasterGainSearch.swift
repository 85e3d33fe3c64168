/// The search for the master's gain, as a value: each pass's result in, the next pass out. The
/// renderer runs the passes; this decides them. Tested without audio, like `JobMachine`.
///
/// A measuring pass costs a tenth of a writing pass, so the gain is found on them (a secant on
/// the loudness they read: a limiter working hard takes back part of any gain, and the secant
/// learns how much), and the file is written once the gain settles. A written file is read back
/// and checked: off target, it is written again with a corrected gain; over the ceiling (very
/// heavy limiting can overshoot the limiter's own aim), again with the limiter aimed lower. The
/// legacy (basic) mix has no limiter: one probe of its true peak sets its one gain.
///
/// The limiter's intensity (its share of push, `StageIntensity.limiter`) starts with that probe
/// too: the unlimited master is the gain that puts its true peak at the ceiling (never past the
/// target's). At 0 % that is the mix, written with no limiter; in between, the target comes down
/// to the unlimited loudness plus the share of what the limiter would have added, and the
/// search goes on as ever.
struct MasterGainSearch: Sendable {
    enum Step: Sendable, Equatable {
        /// The basic mix: one pass at this gain reading the true peak.
        case probePeak(gainDB: Double)
        /// A measuring pass: the master's loudness at this gain, no file.
        case measure(gainDB: Double)
        /// A writing pass at this gain, the limiter aimed `ceilingTrimDB` under the recipe's ceiling.
        case write(gainDB: Double, ceilingTrimDB: Double)
        /// The last file written is the mix.
        case keep
        /// The last writing pass allowed read over the ceiling.
        case ceilingBroken(truePeakDBTP: Double)
    }

    /// Loudness error a written file may have (the promise is ±0.2 LU).
    static let loudnessToleranceLU = 0.1
    /// A measured correction this small (dB) is written without measuring it first.
    static let settledGainDB = 0.1
    /// The first correction is the limiter's loss at the bus's own gain: under this (dB) the
    /// limiter barely works, takes back little of more gain, and the correction is written.
    /// Small enough that a limiter taking back 40 % of it still lands within the tolerance: a
    /// second writing pass costs five measuring ones.
    static let lightLimitingDB = 0.25
    /// How far under the ceiling the basic mix's gain puts its probed peak.
    static let basicPeakMarginDB = 0.15
    /// How much lower than the excess the limiter is aimed after a pass read over the ceiling.
    static let ceilingTrimMarginDB = 0.05
    /// Passes at most.
    static let maxMeasuringPasses = 5
    static let maxWritingPasses = 4

    private(set) var plan: LoudnessPlan
    let basic: Bool
    /// The limiter's share of its push (1: the recipe's target; 0: no limiter).
    let limiterShare: Double
    /// Whether the passes run the limiter (not in the basic mix, nor at 0 % limiter).
    var usesLimiter: Bool { !basic && limiterShare > 0 }
    /// The gain of the pass asked for last (and, once kept, of the mix).
    private(set) var gainDB: Double
    /// How far under the recipe's ceiling the limiter aims.
    private(set) var ceilingTrimDB = 0.0
    /// Passes asked for so far, of every kind.
    private(set) var passes = 0
    private(set) var measuringPasses = 0
    private(set) var writingPasses = 0
    /// (gain, loudness) of the passes at the current limiter aim.
    private var history: [Reading] = []

    struct Reading: Sendable, Equatable {
        var gainDB: Double
        var loudnessLUFS: Double
    }

    init(plan: LoudnessPlan, basic: Bool, limiterShare: Double = 1) {
        self.plan = plan
        self.basic = basic
        self.limiterShare = basic ? 1 : max(0, min(1, limiterShare))
        gainDB = plan.initialGainDB
    }

    /// The first pass.
    mutating func start() -> Step {
        basic || limiterShare < 1 ? ask(.probePeak(gainDB: 0)) : ask(.measure(gainDB: gainDB))
    }

    /// After a probe of the unlimited master at 0 dB: its true peak (nil for silence).
    mutating func probed(truePeakDBTP: Double?) -> Step {
        let peakGainDB = plan.ceilingDBTP - Self.basicPeakMarginDB - (truePeakDBTP ?? -120)
        if basic {
            gainDB = min(0, peakGainDB)
            return ask(write())
        }
        // The unlimited master: as loud as the ceiling lets it be, never past the target.
        let unlimitedGainDB = min(plan.initialGainDB, peakGainDB)
        if limiterShare == 0 {
            gainDB = unlimitedGainDB
            return ask(write())
        }
        // The limiter adds its share of the loudness it would add to reach the target.
        plan = plan.aimed(down: (1 - limiterShare) * (plan.initialGainDB - unlimitedGainDB))
        gainDB = plan.initialGainDB
        return ask(.measure(gainDB: gainDB))
    }

    /// After a measuring pass: the loudness it read (nil for silence, which ends the measuring).
    mutating func measured(loudnessLUFS: Double?) -> Step {
        guard let loudnessLUFS else { return ask(write()) }
        history.append(Reading(gainDB: gainDB, loudnessLUFS: loudnessLUFS))
        let next = nextGain()
        let settled = abs(next - gainDB) <= (history.count == 1 ? Self.lightLimitingDB : Self.settledGainDB)
        gainDB = next
        if settled || measuringPasses == Self.maxMeasuringPasses { return ask(write()) }
        return ask(.measure(gainDB: gainDB))
    }

    /// After a writing pass: what the check read on the file.
    mutating func wrote(integratedLUFS: Double?, truePeakDBTP: Double?) -> Step {
        let peak = truePeakDBTP ?? -200
        if peak > plan.ceilingDBTP + 0.001 {
            guard writingPasses < Self.maxWritingPasses else { return .ceilingBroken(truePeakDBTP: peak) }
            let excess = peak - plan.ceilingDBTP
            if !usesLimiter {
                // No limiter to hold it: the one gain goes down by the excess.
                gainDB -= excess + Self.basicPeakMarginDB
            } else {
                // The limiter aims lower by the excess; loudness for a gain changes with the aim.
                ceilingTrimDB += excess + Self.ceilingTrimMarginDB
                history.removeAll()
            }
            return ask(write())
        }
        if let integratedLUFS { history.append(Reading(gainDB: gainDB, loudnessLUFS: integratedLUFS)) }
        let onTarget = !usesLimiter || plan.isOnTarget(integratedLUFS, tolerance: Self.loudnessToleranceLU)
        let next = nextGain()
        // Keep this file when it is on target, when it is the last, or when more gain would
        // give no more loudness (the limiter takes it all).
        if onTarget || writingPasses == Self.maxWritingPasses || history.isEmpty || abs(next - gainDB) < 0.01 {
            return .keep
        }
        gainDB = next
        return ask(write())
    }

    private func write() -> Step { .write(gainDB: gainDB, ceilingTrimDB: ceilingTrimDB) }

    private func nextGain() -> Double {
        plan.nextGain(after: history.map { (gain: $0.gainDB, loudness: $0.loudnessLUFS) })
    }

    /// Counts the pass asked for.
    private mutating func ask(_ step: Step) -> Step {
        passes += 1
        switch step {
        case .measure, .probePeak: measuringPasses += 1
        case .write: writingPasses += 1
        case .keep, .ceilingBroken: break
        }
        return step
    }
}
