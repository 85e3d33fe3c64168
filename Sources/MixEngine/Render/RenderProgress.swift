/// The progress bar's share of each stage of a render, in one table (0…1 of the whole render).
/// A pass run again (a second writing pass) goes over its span again; the renderer never
/// reports less than it has, so the bar waits there.
enum RenderProgress {
    /// Opening the stems.
    static let loading = 0.0
    /// Pass 1: the tracks through their chains, summed by group.
    static let tracks = ProgressSpan(start: 0.02, end: 0.45)
    /// The blend and the head of the master, into the bus.
    static let blend = ProgressSpan(start: 0.45, end: 0.5)
    /// The master's gain search: probes and measuring passes share this span in turn.
    static let mastering = ProgressSpan(start: 0.5, end: 0.75)
    /// The share of `mastering` one probe of the basic mix's peak takes, and one measuring pass.
    static let probeShare = 0.12
    static let measuringShare = 0.06
    /// A writing pass and its check.
    static let exporting = ProgressSpan(start: 0.75, end: 0.97)
    /// The files put in place.
    static let committing = 0.98

    /// The span of the next pass within `mastering`: `share` on from where the last one ended
    /// (`end`, moved on), never past the span's end.
    static func nextMasteringSpan(after end: inout Double, share: Double) -> ProgressSpan {
        let start = end
        end = min(mastering.end, end + share)
        return ProgressSpan(start: start, end: end)
    }
}

/// A stretch of the progress bar.
struct ProgressSpan: Sendable, Equatable {
    let start: Double
    let end: Double

    /// The bar's position when `done` (0…1) of the stretch is done.
    func at(_ done: Double) -> Double { start + (end - start) * done }
}
