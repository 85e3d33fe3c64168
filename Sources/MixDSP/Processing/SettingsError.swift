/// A setting out of its range: names the field and the rule, like
/// `"ratio: must be at least 1 (got 0.5)"`.
public struct SettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    public let field: String
    public let rule: String

    public init(field: String, rule: String) {
        self.field = field
        self.rule = rule
    }

    public var description: String { "\(field): \(rule)" }

    /// Throws unless `value` is finite and within `range`.
    public static func check(_ value: Double, _ field: String, in range: ClosedRange<Double>, unit: String = "") throws {
        guard value.isFinite, range.contains(value) else {
            let suffix = unit.isEmpty ? "" : " \(unit)"
            throw SettingsError(
                field: field,
                rule: "must be between \(format(range.lowerBound)) and \(format(range.upperBound))\(suffix) (got \(format(value)))")
        }
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e9 ? String(Int(value)) : String(value)
    }
}
