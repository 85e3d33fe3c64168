import Foundation

/// How the master gain is found: start from the bus's measured loudness, then correct from what
/// each pass measured on its output (the limiter takes back some of any gain; a secant on the
/// last two passes learns how much).
struct LoudnessPlan: Sendable {
    let targetLUFS: Double
    let ceilingDBTP: Double
    let initialGainDB: Double
    /// The recipe's target, when the limiter's intensity aims lower (`aimed(down:)`).
    let recipeTargetLUFS: Double
    /// The most gain the master adds over the linear estimate: past it, more gain only feeds the
    /// limiter.
    static let maxExtraGainDB = 12.0

    init(recipe: MixRecipe, basic: Bool, busLoudnessLUFS: Double?) throws {
        targetLUFS = recipe.targetLUFS
        recipeTargetLUFS = recipe.targetLUFS
        ceilingDBTP = recipe.ceilingDBTP
        if basic {
            initialGainDB = 0
            return
        }
        guard let busLoudnessLUFS else {
            throw MixError.nothingToMix("the blended stems are silent: there is no loudness to bring to the target")
        }
        initialGainDB = min(60, targetLUFS - busLoudnessLUFS)
    }

    private init(targetLUFS: Double, recipeTargetLUFS: Double, ceilingDBTP: Double, initialGainDB: Double) {
        (self.targetLUFS, self.recipeTargetLUFS) = (targetLUFS, recipeTargetLUFS)
        (self.ceilingDBTP, self.initialGainDB) = (ceilingDBTP, initialGainDB)
    }

    /// This plan with its target `dB` lower (the limiter's intensity under 100 %).
    func aimed(down dB: Double) -> LoudnessPlan {
        LoudnessPlan(
            targetLUFS: targetLUFS - dB, recipeTargetLUFS: recipeTargetLUFS, ceilingDBTP: ceilingDBTP,
            initialGainDB: initialGainDB - dB)
    }

    /// The next gain to try, given (gain, measured loudness) of the passes so far.
    func nextGain(after history: [(gain: Double, loudness: Double)]) -> Double {
        guard let last = history.last else { return initialGainDB }
        var slope = 1.0
        if history.count >= 2 {
            let previous = history[history.count - 2]
            if abs(last.gain - previous.gain) > 1e-6 {
                slope = (last.loudness - previous.loudness) / (last.gain - previous.gain)
            }
        }
        // Loudness never falls with gain and never rises faster than it; a flat slope means the
        // limiter is taking everything, and the cap below ends the search.
        slope = max(0.1, min(1.2, slope))
        let next = last.gain + (targetLUFS - last.loudness) / slope
        return min(initialGainDB + Self.maxExtraGainDB, next)
    }

    func isOnTarget(_ loudness: Double?, tolerance: Double) -> Bool {
        guard let loudness else { return false }
        return abs(loudness - targetLUFS) <= tolerance
    }

    /// Whether the written loudness is within ±0.2 LU of the target, and if not, why.
    func verdict(_ loudness: Double?, limiterGRMaxDB: Double, limiterShare: Double = 1) -> (reached: Bool, note: String?) {
        guard let loudness else { return (false, "the mix is silent") }
        if limiterShare < 1, abs(loudness - recipeTargetLUFS) > 0.2 {
            return (
                false,
                "at \(String(format: "%.0f", limiterShare * 100)) % limiter intensity the mix stops at \(String(format: "%.1f", loudness)) LUFS, short of the \(String(format: "%.0f", recipeTargetLUFS)) LUFS target"
            )
        }
        if abs(loudness - targetLUFS) <= 0.2 { return (true, nil) }
        let measured = String(format: "%.1f", loudness)
        if loudness < targetLUFS {
            return (
                false,
                "the \(String(format: "%.1f", ceilingDBTP)) dBTP ceiling holds the mix at \(measured) LUFS, under the \(String(format: "%.0f", targetLUFS)) LUFS target: the limiter was already taking up to \(String(format: "%.1f", limiterGRMaxDB)) dB"
            )
        }
        return (false, "the mix measures \(measured) LUFS, over the \(String(format: "%.0f", targetLUFS)) LUFS target")
    }
}
