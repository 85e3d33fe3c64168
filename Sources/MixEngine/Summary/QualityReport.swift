import Foundation
import MixDSP

/// The mix held against what professional mixes measure (`../shared/QUALITY.md`, with its
/// sources): the balance (vocals, lead and the rest), the dynamics (PLR, PSR, crest factor,
/// LRA), the tone (the long-term spectrum's slope) and the stereo image (correlation, width,
/// the loudness lost in mono). Each measure carries the published range and whether the mix is
/// in it; where a source gives a mean and a spread, the range is one spread either side.
public struct QualityReport: Sendable, Encodable, Equatable {
    public struct Measure: Sendable, Encodable, Equatable {
        /// The measure's key in the summary (snake_case, with its unit).
        public var name: String
        public var value: Double?
        /// The professional range (nil ends: unbounded; both nil: no published range).
        public var low: Double?
        public var high: Double?
        /// The published figure and where it comes from.
        public var reference: String
        /// Whether the value, as shown (to the hundredth), is in the range (nil: no value, or no
        /// range): a lead shown 0.00 LU over the rest is at "≥ 0", not a rounding error under it.
        public var inRange: Bool? {
            guard let value, low != nil || high != nil else { return nil }
            let shown = (value * 100).rounded() / 100
            return shown >= (low ?? -.infinity) && shown <= (high ?? .infinity)
        }

        enum CodingKeys: String, CodingKey {
            case name, value, low, high, reference
            case inRange = "in_range"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(value.map { ($0 * 100).rounded() / 100 }, forKey: .value)
            try c.encode(low, forKey: .low)
            try c.encode(high, forKey: .high)
            try c.encode(reference, forKey: .reference)
            try c.encode(inRange, forKey: .inRange)
        }
    }

    public var measures: [Measure]

    /// The measure called `name`, if the report has it.
    public subscript(name: String) -> Measure? { measures.first { $0.name == name } }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(measures)
    }

    /// What the report is made from: the balance at the blend and the written master's readings.
    struct Inputs {
        var balance: BalanceReading
        var integratedLUFS: Double?
        var loudnessRangeLU: Double?
        var truePeakDBTP: Double?
        /// The written mix's sample peak (linear).
        var samplePeak: Float
        var energy: (lr: Double, ll: Double, rr: Double, frameCount: Int64)
        var correlation: Double
        var master: MasterQualityMeters.Reading
    }

    init(_ inputs: Inputs) {
        let balance = inputs.balance
        func difference(_ a: Double?, _ b: Double?) -> Double? {
            guard let a, let b else { return nil }
            return a - b
        }
        let (lr, ll, rr, frames) = inputs.energy
        let meanSquare = frames > 0 ? (ll + rr) / Double(2 * frames) : 0
        let crest = meanSquare > 0 && inputs.samplePeak > 0
            ? Decibels.fromAmplitude(Double(inputs.samplePeak)) - Decibels.fromAmplitude(meanSquare.squareRoot()) : nil
        let (side, mid) = (ll + rr - 2 * lr, ll + rr + 2 * lr)
        let sideMid = side > 0 && mid > 0 ? 10 * log10(side / mid) : nil
        measures = [
            Measure(
                name: "vocals_re_mix_lu", value: difference(balance.vocalsLUFS, balance.mixLUFS), low: -4.9, high: -2.3,
                reference: "−3.6 LU, SD 1.3: Ward et al., WIMP 2017 (62 pop/rock songs)"),
            Measure(
                name: "lead_re_mix_lu", value: difference(balance.leadLUFS, balance.mixLUFS), low: -4.3, high: -1.1,
                reference: "−2.7 ± 1.6 LU: De Man, Leonard, King & Reiss, ISMIR 2014"),
            Measure(
                name: "lead_re_rest_lu", value: difference(balance.leadLUFS, balance.restLUFS), low: 0, high: nil,
                reference: "about +1, positive for rap, pop and country: Gerdes & Siedenburg, JASA EL 2023"),
            Measure(
                name: "plr_db", value: difference(inputs.truePeakDBTP, inputs.integratedLUFS), low: 8, high: nil,
                reference: "about 11 dB healthy for loud pop, 8 or less over-limited: Shepherd (Dynameter)"),
            Measure(
                name: "psr_min_db", value: inputs.master.psrMinimumDB, low: 8, high: nil,
                reference: "8 dB or more: Shepherd (Dynameter)"),
            Measure(
                name: "crest_factor_db", value: crest, low: 8, high: nil,
                reference: "about 10 dB normal for pop, 6 dB over-limited: Vickers, AES 2010 (range from 8 dB: ours)"),
            Measure(
                name: "lra_lu", value: inputs.loudnessRangeLU, low: nil, high: nil,
                reference: "largely independent of genre and year: Deruty & Pachet, ISMIR 2015 (no range)"),
            Measure(
                name: "spectrum_slope_db_per_octave", value: Self.spectrumSlope(inputs.master.binPowers, binHz: inputs.master.binHz),
                low: -6, high: -3,
                reference: "−4.53 dB/octave from 89 Hz to 4.5 kHz: Elowsson & Friberg, AES 2017; about −5: Pestana et al., AES 2013 (range: ours)"),
            Measure(
                name: "correlation_mean", value: frames > 0 ? inputs.correlation : nil, low: 0, high: 1,
                reference: "between 0 and +1 for almost all records: Sound On Sound; De Man 2014"),
            Measure(
                name: "low_band_correlation_worst_3s", value: inputs.master.lowBandWorstCorrelation, low: 0, high: 1,
                reference: "bass nearly centred; a steady negative reading loses in mono (below 120 Hz, 3 s windows)"),
            Measure(
                name: "side_mid_db", value: sideMid, low: nil, high: 0,
                reference: "E[(L−R)²]/E[(L+R)²]: −9.5 dB at r = 0.8, −4.8 dB at r = 0.5 (Diff-MST); over 0 dB is a negative correlation"),
            Measure(
                name: "mono_loss_lu", value: difference(inputs.integratedLUFS, inputs.master.monoLUFS), low: nil, high: 3,
                reference: "the loudness lost summed to mono, ½(L + R) on both channels; an uncorrelated pair loses 3 dB"),
        ]
    }

    /// The lower and upper edge of the slope's fit (Elowsson & Friberg's).
    static let slopeLowestHz = 89.0
    static let slopeHighestHz = 4_500.0

    /// The slope (dB per octave) of the straight line fitted, by least squares, to the power
    /// spectral density in 1/6-octave bands centred from 89 Hz up to 4.5 kHz: each band's mean
    /// bin power (a band with no bin takes the nearest bin's). Nil for silence.
    static func spectrumSlope(_ binPowers: [Double], binHz: Double) -> Double? {
        guard binPowers.count > 1, binHz > 0 else { return nil }
        var points: [(x: Double, y: Double)] = []
        var center = slopeLowestHz
        while center <= slopeHighestHz * 1.0001 {
            let (low, high) = (center * pow(2, -1 / 12.0), center * pow(2, 1 / 12.0))
            let first = Int((low / binHz).rounded(.up)), last = min(binPowers.count - 1, Int((high / binHz).rounded(.up)) - 1)
            let power = last >= first
                ? binPowers[first...last].reduce(0, +) / Double(last - first + 1)
                : binPowers[min(binPowers.count - 1, Int((center / binHz).rounded()))]
            guard power > 0 else { return nil }
            points.append((log2(center), 10 * log10(power)))
            center *= pow(2, 1 / 6.0)
        }
        let meanX = points.map(\.x).reduce(0, +) / Double(points.count)
        let meanY = points.map(\.y).reduce(0, +) / Double(points.count)
        let covariance = points.map { ($0.x - meanX) * ($0.y - meanY) }.reduce(0, +)
        let variance = points.map { ($0.x - meanX) * ($0.x - meanX) }.reduce(0, +)
        return variance > 0 ? covariance / variance : nil
    }
}
