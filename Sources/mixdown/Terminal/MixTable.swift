import ArgumentParser
import Foundation
import MixEngine

/// The human-readable end of `mix`: a row per track, then the master's readings.
struct MixTable {
    let summary: MixSummary

    init(_ summary: MixSummary) {
        self.summary = summary
    }

    func render() -> String {
        func dB(_ value: Double) -> String { String(format: "%+.1f dB", value) }
        func gr(_ average: Double, _ maximum: Double) -> String { String(format: "%.1f / %.1f", average, maximum) }
        let header = ["TRACK", "ROLE", "MATCH", "GROUP", "COMP GR avg/max", "DE-ESS GR", "IN MIX", "IN MONO"]
        let rows = summary.tracks.map { track in
            [
                InspectionTable.clip(track.file, to: 34),
                track.role.rawValue + (track.roleGuessed ? " (guessed)" : ""),
                dB(track.matchGainDB),
                dB(track.groupGainDB),
                gr(track.compressorGRAverageDB, track.compressorGRMaxDB),
                String(format: "%.1f dB", track.deEsserGRMaxDB),
                track.loudnessInMixLUFS.map { String(format: "%.1f LUFS", $0) } ?? "silent",
                // Widened tracks only: the loudness lost summed to mono, and the L/R correlation.
                track.monoCheck.map { check in
                    (check.monoLossLU.map { String(format: "%+.1f LU", -$0) } ?? "—") + String(format: ", r %.2f", check.correlation)
                } ?? "",
            ]
        }
        var lines = Self.layout([header] + rows)
        lines.insert(String(repeating: "─", count: lines[0].count), at: 1)
        if !summary.muted.isEmpty { lines.append("– muted: \(summary.muted.joined(separator: ", "))") }
        for rejected in summary.rejected { lines.append("– skipped \(rejected.file): \(rejected.reason)") }
        let loudness = summary.integratedLUFS.map { String(format: "%.1f LUFS", $0) } ?? "silent"
        let target = summary.targetLUFS.map { String(format: " (target %.0f%@)", $0, summary.targetReached ? ", reached" : ", NOT reached") } ?? ""
        let peak = summary.truePeakDBTP.map { String(format: "%.2f dBTP", $0) } ?? "—"
        lines += [
            "",
            "Master (\(summary.recipe)\(summary.basic ? ", basic" : "")): I \(loudness)\(target) · LRA "
                + (summary.loudnessRangeLU.map { String(format: "%.1f LU", $0) } ?? "—")
                + " · TP \(peak) (ceiling \(String(format: "%.1f", summary.ceilingDBTP)), \(summary.ceilingHeld ? "held" : "BROKEN"))",
            "Bus compressor GR \(gr(summary.master.busCompressorGRAverageDB, summary.master.busCompressorGRMaxDB)) dB · "
                + (summary.master.leadRoomGRMaxDB.map { max in
                    "room for the lead \(gr(summary.master.leadRoomGRAverageDB ?? 0, max)) dB · " } ?? "")
                + "limiter GR "
                + "\(gr(summary.master.limiterGRAverageDB, summary.master.limiterGRMaxDB)) dB · master gain \(dB(summary.master.gainDB))",
        ]
        let balance = summary.balance
        if balance.applied, let target = balance.leadReRestTargetLU {
            lines.append(
                "Balance: the lead " + (balance.leadReRestLU.map { String(format: "%+.1f LU", $0) } ?? "—")
                    + String(format: " over the rest (target %+.1f), ", target)
                    + (balance.leadReMixLU.map { String(format: "%+.1f LU", $0) } ?? "—") + " re: the mix")
        } else if let note = balance.note, !summary.basic {
            lines.append("Balance: not applied (\(note))")
        }
        if let note = balance.note, balance.applied { lines.append("– \(note)") }
        if let reference = summary.reference {
            let largest = reference.largestGainDB
            lines.append(
                "Reference \(reference.file): its loudness \(String(format: "%.1f", reference.loudnessLUFS)) LUFS as the target; "
                    + "its tonal balance by \(reference.eq.count) EQ bands, up to \(String(format: "%.1f", largest)) dB")
        }
        if let note = summary.targetNote { lines.append("Note: \(note)") }
        lines += [""] + Self.quality(summary.quality)
        lines += [
            "",
            "Wrote \(summary.output) (\(InspectionTable.clock(summary.durationSeconds)), \(summary.format.rawValue), "
                + String(format: "%.1f s, %.0f× realtime)", summary.renderSeconds, summary.durationSeconds / max(summary.renderSeconds, 0.001)),
            "Meter frames: \(summary.framesFile)",
        ]
        return lines.joined(separator: "\n")
    }

    /// The quality report: each measure, its professional range, and a mark when outside it.
    static func quality(_ report: QualityReport) -> [String] {
        let header = ["QUALITY", "VALUE", "PROFESSIONAL RANGE", ""]
        let rows = report.measures.map { measure -> [String] in
            let range: String
            switch (measure.low, measure.high) {
            case let (low?, high?): range = String(format: "%g … %g", low, high)
            case let (low?, nil): range = String(format: "≥ %g", low)
            case let (nil, high?): range = String(format: "≤ %g", high)
            case (nil, nil): range = "—"
            }
            let mark = measure.inRange == false ? "outside" : ""
            return [measure.name, measure.value.map { String(format: "%+.2f", $0) } ?? "—", range, mark]
        }
        var lines = layout([header] + rows)
        lines.insert(String(repeating: "─", count: lines[0].count), at: 1)
        return lines
    }

    private static func layout(_ table: [[String]]) -> [String] {
        let widths = table[0].indices.map { column in table.map { $0[column].count }.max() ?? 0 }
        return table.map { row in
            row.enumerated().map { column, cell in cell.padding(toLength: widths[column], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
    }
}

extension OutputFormat: ExpressibleByArgument {}
