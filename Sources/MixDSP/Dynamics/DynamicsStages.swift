/// The vectorisable stages of a compressor-style processor, split from the one serial stage
/// (the detector's ballistics), so decibel conversions and gains run eight samples at a time.
enum DynamicsStages {
    /// `out[i] = 20·log10(max(|a[i]|, |b[i]|))`.
    @inline(__always)
    static func linkedDecibels(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, count: Int
    ) {
        var i = 0
        while i + 8 <= count {
            let x = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self)
            let y = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self)
            let absX = x.replacing(with: -x, where: x .< 0), absY = y.replacing(with: -y, where: y .< 0)
            let magnitude = absX.replacing(with: absY, where: absY .> absX)
            UnsafeMutableRawPointer(out + i).storeBytes(of: FastMath.decibels(magnitude), as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            out[i] = FastMath.decibels(max(abs(a[i]), abs(b[i])))
            i += 1
        }
    }

    /// The RMS detector's input levels: the mean square of the louder channel averaged by its
    /// one-pole (the one serial step), then in dB (of the root) eight at a time.
    @inline(__always)
    static func rmsDecibels(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, count: Int,
        detector: inout LevelDetector
    ) {
        var meanSquare = detector.meanSquare
        let coefficient = detector.rmsCoefficient, complement = 1 - detector.rmsCoefficient
        for i in 0..<count {
            let magnitude = max(abs(a[i]), abs(b[i]))
            meanSquare = coefficient * meanSquare + complement * magnitude * magnitude
            out[i] = meanSquare
        }
        detector.meanSquare = meanSquare
        var i = 0
        while i + 8 <= count {
            let squares = UnsafeRawPointer(out + i).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(out + i).storeBytes(of: FastMath.decibels(squares) * 0.5, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            out[i] = FastMath.decibels(out[i]) * 0.5
            i += 1
        }
    }

    /// The peak detector's ballistics over a block of input levels (dB), in place.
    @inline(__always)
    static func peakBallistics(_ levels: UnsafeMutablePointer<Float>, count: Int, detector: inout LevelDetector) {
        var level = detector.levelDB
        let (attack, release) = (detector.attackCoefficient, detector.releaseCoefficient)
        for i in 0..<count {
            let input = levels[i]
            level = Ballistics.step(level, toward: input, coefficient: input > level ? attack : release)
            levels[i] = level
        }
        detector.levelDB = level
    }

    /// Replaces detected levels (dB) by the computer's gain reduction (dB), capped at
    /// `maxReductionDB`; returns the block's largest and summed reduction.
    @inline(__always)
    static func gainReduction(
        _ values: UnsafeMutablePointer<Float>, count: Int, computer: GainComputer, maxReductionDB: Float
    ) -> (max: Float, sum: Float) {
        let curve = computer.curve(SIMD8<Float>.self)
        var peak = SIMD8<Float>.zero, sum = SIMD8<Float>.zero
        var i = 0
        while i + 8 <= count {
            var reduction = curve.reduction(UnsafeRawPointer(values + i).loadUnaligned(as: SIMD8<Float>.self))
            reduction.replace(with: maxReductionDB, where: reduction .> maxReductionDB)
            UnsafeMutableRawPointer(values + i).storeBytes(of: reduction, as: SIMD8<Float>.self)
            peak.replace(with: reduction, where: reduction .> peak)
            sum += reduction
            i += 8
        }
        var largest: Float = 0, total: Float = 0
        for lane in 0..<8 {
            largest = max(largest, peak[lane])
            total += sum[lane]
        }
        while i < count {
            let reduction = min(maxReductionDB, computer.gainReductionDB(values[i]))
            values[i] = reduction
            largest = max(largest, reduction)
            total += reduction
            i += 1
        }
        return (largest, total)
    }
}
