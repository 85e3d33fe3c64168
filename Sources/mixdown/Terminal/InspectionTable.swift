import Foundation
import MixEngine

/// The human-readable `inspect` report: a table of stems, then each problem in full.
struct InspectionTable {
    let inspection: SessionInspection
    private static let nameWidth = 34

    init(_ inspection: SessionInspection) {
        self.inspection = inspection
    }

    func render() -> String {
        let header = ["FILE", "FORMAT", "RATE", "CH", "LENGTH", "PEAK", "LOUDNESS", "ROLE"]
        var rows: [[String]] = []
        for stem in inspection.stems {
            rows.append([
                Self.clip(stem.fileName, to: Self.nameWidth),
                stem.format?.description ?? "—",
                stem.sampleRate.map { String(format: "%.1f kHz", Double($0) / 1000) } ?? "—",
                stem.channelCount.map(String.init) ?? "—",
                stem.durationSeconds.map(Self.clock) ?? "—",
                stem.isUsable ? (stem.peakDBFS.map { String(format: "%.1f dBFS", $0) } ?? "silent") : "—",
                stem.isUsable ? (stem.loudnessLUFS.map { String(format: "%.1f LUFS", $0) } ?? "—") : "—",
                stem.isUsable ? stem.role.role.rawValue + (stem.role.isGuessed ? " (guessed)" : stem.role.source == .user ? " (set)" : "") : "REJECTED",
            ])
        }
        var lines = Self.layout([header] + rows)
        lines.insert(String(repeating: "─", count: lines[0].count), at: 1)
        let notes = inspection.stems.flatMap { stem in
            stem.problems.enumerated().map { index, problem in
                (index == 0 && !stem.isUsable ? "✗ " : "· ") + "\(stem.fileName): \(problem)"
            }
        }
        if !notes.isEmpty { lines += [""] + notes }
        if !inspection.ignored.isEmpty { lines += [""] + inspection.ignored.map { "– ignored \($0)" } }
        let usable = inspection.usableStems.count
        let rejected = inspection.rejectedStems.count
        lines += [
            "",
            "Session rate \(inspection.sessionRate) Hz · \(usable) usable, \(rejected) rejected"
                + (rejected > 0 ? " · fix or remove the rejected files before mixing" : ""),
        ]
        return lines.joined(separator: "\n")
    }

    private static func layout(_ table: [[String]]) -> [String] {
        let widths = table[0].indices.map { column in table.map { $0[column].count }.max() ?? 0 }
        return table.map { row in
            row.enumerated().map { column, cell in
                cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
    }

    static func clip(_ text: String, to width: Int) -> String {
        text.count <= width ? text : String(text.prefix(width - 1)) + "…"
    }

    /// "0:21.3", "4:00.0".
    static func clock(_ seconds: Double) -> String {
        String(format: "%d:%04.1f", Int(seconds) / 60, seconds.truncatingRemainder(dividingBy: 60))
    }
}
