@testable import MixEngine
import Testing

/// The master's gain search without audio: a model master (loudness = bus loudness + gain, less
/// what a limiter takes above a knee) answers each pass, and the steps asked for are checked.
@Suite("the master's gain search: passes in, the next pass out")
struct MasterGainSearchTests {
    /// A master whose limiter takes `share` of every dB of gain above `kneeDB`.
    struct ModelMaster {
        var busLUFS = -24.0
        var kneeDB = 100.0
        var share = 0.0
        func loudness(at gainDB: Double) -> Double {
            busLUFS + gainDB - share * max(0, gainDB - kneeDB)
        }
    }

    static func search(
        busLUFS: Double = -24, basic: Bool = false, target: Double = -14, ceiling: Double = -1, limiterShare: Double = 1
    ) throws -> MasterGainSearch {
        let recipe = MixRecipe(targetLUFS: target, ceilingDBTP: ceiling)
        return MasterGainSearch(
            plan: try LoudnessPlan(recipe: recipe, basic: basic, busLoudnessLUFS: busLUFS), basic: basic, limiterShare: limiterShare)
    }

    /// Runs the search against `master` until it keeps or fails; a probe reads `probePeakDBTP`
    /// (at 0 dB), every file `truePeaks` in turn (the last one repeated). Returns the steps.
    static func run(
        _ search: inout MasterGainSearch, master: ModelMaster, probePeakDBTP: Double = -6, truePeaks: [Double] = [-1.2]
    ) -> [MasterGainSearch.Step] {
        var steps: [MasterGainSearch.Step] = []
        var step = search.start()
        var written = 0
        while steps.count < 20 {
            steps.append(step)
            switch step {
            case .probePeak(let gain): step = search.probed(truePeakDBTP: probePeakDBTP + gain)
            case .measure(let gain): step = search.measured(loudnessLUFS: master.loudness(at: gain))
            case .write(let gain, _):
                let peak = truePeaks[min(written, truePeaks.count - 1)]
                written += 1
                step = search.wrote(integratedLUFS: master.loudness(at: gain), truePeakDBTP: peak)
            case .keep, .ceilingBroken: return steps
            }
        }
        Issue.record("the search did not end in 20 steps: \(steps)")
        return steps
    }

    @Test("no limiting: one measuring pass confirms the linear gain, one file is written and kept")
    func linear() throws {
        var search = try Self.search(busLUFS: -24)
        let steps = Self.run(&search, master: ModelMaster(busLUFS: -24))
        #expect(steps == [.measure(gainDB: 10), .write(gainDB: 10, ceilingTrimDB: 0), .keep])
        #expect(search.passes == 2 && search.gainDB == 10)
    }

    @Test("a limiter taking 70 % of the gain above its knee: the secant settles on measuring passes, one file on target")
    func heavyLimiting() throws {
        var search = try Self.search(busLUFS: -24)
        let master = ModelMaster(busLUFS: -24, kneeDB: 6, share: 0.7)
        let steps = Self.run(&search, master: master)
        let measuring = steps.filter { if case .measure = $0 { return true } else { return false } }
        let writing = steps.filter { if case .write = $0 { return true } else { return false } }
        #expect(measuring.count >= 2 && measuring.count <= MasterGainSearch.maxMeasuringPasses)
        #expect(writing.count == 1 && steps.last == .keep)
        #expect(abs(master.loudness(at: search.gainDB) - -14) <= MasterGainSearch.loudnessToleranceLU)
        #expect(search.passes == measuring.count + writing.count)
    }

    @Test("limiter at 0 %: one probe, then the unlimited master as loud as the ceiling lets it be, written without a limiter")
    func limiterOff() throws {
        // The bus peaks at −6 dBTP: 4.85 dB of gain puts it 0.15 dB under the −1 dBTP ceiling,
        // well short of the 10 dB the target asks for.
        var search = try Self.search(busLUFS: -24, limiterShare: 0)
        let steps = Self.run(&search, master: ModelMaster(busLUFS: -24), probePeakDBTP: -6)
        #expect(steps == [.probePeak(gainDB: 0), .write(gainDB: 4.85, ceilingTrimDB: 0), .keep])
        #expect(!search.usesLimiter)
        // A quiet bus needs no limiter to reach the target: the target's gain, not more.
        var quiet = try Self.search(busLUFS: -24, limiterShare: 0)
        #expect(Self.run(&quiet, master: ModelMaster(busLUFS: -24), probePeakDBTP: -20)[1] == .write(gainDB: 10, ceilingTrimDB: 0))
        // A file over the ceiling all the same: the gain comes down by the excess, as for the basic mix.
        var over = try Self.search(busLUFS: -24, limiterShare: 0)
        let again = Self.run(&over, master: ModelMaster(busLUFS: -24), probePeakDBTP: -6, truePeaks: [-0.8, -1.2])
        guard case .write(let lowered, let trim) = again[2] else { Issue.record("\(again)"); return }
        #expect(abs(lowered - (4.85 - 0.2 - MasterGainSearch.basicPeakMarginDB)) < 1e-12 && trim == 0)
    }

    @Test("limiter at 40 %: the target comes down to the unlimited loudness plus 40 % of what the limiter would add")
    func limiterShare() throws {
        var search = try Self.search(busLUFS: -24, limiterShare: 0.4)
        let master = ModelMaster(busLUFS: -24, kneeDB: 4.85, share: 0.5)
        let steps = Self.run(&search, master: master, probePeakDBTP: -6)
        #expect(steps.first == .probePeak(gainDB: 0))
        // Unlimited: −24 + 4.85 = −19.15 LUFS; the limiter would add 5.15 LU; 40 % of it: −17.09.
        let aimed = -19.15 + 0.4 * 5.15
        #expect(abs(search.plan.targetLUFS - aimed) < 1e-9 && search.usesLimiter)
        #expect(abs(master.loudness(at: search.gainDB) - aimed) <= MasterGainSearch.loudnessToleranceLU)
        #expect(steps.last == .keep)
        let verdict = search.plan.verdict(master.loudness(at: search.gainDB), limiterGRMaxDB: 1, limiterShare: 0.4)
        #expect(!verdict.reached && verdict.note?.contains("40 % limiter intensity") == true)
    }

    @Test("a file over the ceiling is written again at the same gain, the limiter aimed lower by the excess and a margin")
    func ceilingTrim() throws {
        var search = try Self.search(busLUFS: -24)
        let steps = Self.run(&search, master: ModelMaster(busLUFS: -24), truePeaks: [-0.7, -1.1])
        #expect(steps.count == 4)
        #expect(steps[1] == .write(gainDB: 10, ceilingTrimDB: 0))
        guard case .write(let gain, let trim) = steps[2] else { Issue.record("\(steps)"); return }
        #expect(gain == 10 && abs(trim - (0.3 + MasterGainSearch.ceilingTrimMarginDB)) < 1e-12)
        #expect(steps[3] == .keep)
    }

    @Test("over the ceiling on every pass: the last writing pass allowed fails with what it read")
    func ceilingBroken() throws {
        var search = try Self.search(busLUFS: -24)
        let steps = Self.run(&search, master: ModelMaster(busLUFS: -24), truePeaks: [-0.5])
        #expect(steps.filter { if case .write = $0 { return true } else { return false } }.count == MasterGainSearch.maxWritingPasses)
        #expect(steps.last == .ceilingBroken(truePeakDBTP: -0.5))
    }

    @Test("the basic mix: one probe of its peak sets its one gain, under the ceiling by a margin, never above 0 dB")
    func basic() throws {
        var quiet = try Self.search(busLUFS: -30, basic: true)
        #expect(Self.run(&quiet, master: ModelMaster(busLUFS: -30), probePeakDBTP: -6, truePeaks: [-6])
            == [.probePeak(gainDB: 0), .write(gainDB: 0, ceilingTrimDB: 0), .keep])
        var hot = try Self.search(busLUFS: -10, basic: true)
        let steps = Self.run(&hot, master: ModelMaster(busLUFS: -10), probePeakDBTP: 2, truePeaks: [-0.5, -1.5])
        #expect(steps[1] == .write(gainDB: -1 - MasterGainSearch.basicPeakMarginDB - 2, ceilingTrimDB: 0))
        // The first file read 0.5 dB over: the gain goes down by that and the margin.
        guard case .write(let lowered, 0) = steps[2] else { Issue.record("\(steps)"); return }
        #expect(abs(lowered - (-3.15 - 0.5 - 0.15)) < 1e-12)
    }

    @Test("a limiter that takes every dB: the gain stops at its cap and the file is kept, under the target")
    func limiterTakesAll() throws {
        var search = try Self.search(busLUFS: -24)
        let master = ModelMaster(busLUFS: -24, kneeDB: 4, share: 1)
        let steps = Self.run(&search, master: master)
        #expect(steps.last == .keep)
        // One file: once more gain gives no more loudness, the search stops rather than writing again.
        #expect(steps.filter { if case .write = $0 { return true } else { return false } }.count == 1)
        #expect(search.gainDB <= 10 + LoudnessPlan.maxExtraGainDB)
        #expect(master.loudness(at: search.gainDB) < -14)
    }

    @Test("a silent master ends the measuring and keeps the one file written")
    func silence() throws {
        var search = try Self.search(busLUFS: -24)
        #expect(search.start() == .measure(gainDB: 10))
        #expect(search.measured(loudnessLUFS: nil) == .write(gainDB: 10, ceilingTrimDB: 0))
        #expect(search.wrote(integratedLUFS: nil, truePeakDBTP: nil) == .keep)
        #expect(search.passes == 2)
    }
}
