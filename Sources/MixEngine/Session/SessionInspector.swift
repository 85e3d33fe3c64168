import Foundation
import Synchronization

/// Inspects every file of a session folder (not just up to the first bad one), on all cores,
/// and settles the session rate and each stem's role.
public struct SessionInspector: Sendable {
    /// Extensions taken as audio; other files are listed as ignored, not rejected.
    public static let audioExtensions: Set<String> = [
        "wav", "wave", "bwf", "rf64", "aif", "aiff", "aifc", "flac", "mp3", "ogg", "oga", "opus",
    ]

    /// `--rate`: the session rate to use instead of the most common one.
    public var rateOverrideHz: Int?
    /// `--role FILE=ROLE`: roles set by the user, by stem id (in a folder, the file's name).
    public var roleOverrides: [String: Role]
    /// Files scanned at once (default: the core count).
    public var concurrency: Int
    /// The meter of each stem's loudness: libebur128 for what is shown (`inspect`), the
    /// engine's own for a mix's loudness match.
    public var loudnessMeter: StemLoudnessMeter

    public init(
        rateOverrideHz: Int? = nil, roleOverrides: [String: Role] = [:],
        concurrency: Int = ProcessInfo.processInfo.activeProcessorCount, loudnessMeter: StemLoudnessMeter = .libebur128
    ) {
        self.rateOverrideHz = rateOverrideHz
        self.roleOverrides = roleOverrides
        self.concurrency = max(1, concurrency)
        self.loudnessMeter = loudnessMeter
    }

    /// Inspects `folder`. `progress` gets the share done (0…1), from any thread.
    public func inspect(
        folder: URL, progress: (@Sendable (Double) -> Void)? = nil
    ) async throws -> SessionInspection {
        let (candidates, ignored) = try listFiles(in: folder)
        let analyses = contentAnalyses(for: candidates.map { StemName.displayName($0.lastPathComponent) })
        let reports = await scanAll(candidates, analyses: analyses, progress: progress)
        return settle(reports, ignored: ignored)
    }

    /// Applies names, user overrides and guesses to scanned reports, then picks the rate and order.
    /// A report whose role the user already set (`.user`) keeps it.
    public func settle(_ scanned: [StemReport], ignored: [String] = []) -> SessionInspection {
        var reports = scanned
        for index in reports.indices {
            let name = reports[index].fileName
            if reports[index].role.source == .user {
                continue
            } else if let role = roleOverrides[reports[index].id] {
                reports[index].role = RoleAssignment(role, source: .user)
            } else if let role = RoleNameRules.role(forFileName: name) {
                reports[index].role = RoleAssignment(role, source: .name)
            } else {
                reports[index].role = RoleAssignment(.other, source: .content)
            }
        }
        RoleGuesser.assignGuessedRoles(&reports)
        reports.sort(by: StemOrder.precedes)
        let rate = SessionRate.choose(stemRates: reports.filter(\.isUsable).compactMap(\.sampleRate), overrideHz: rateOverrideHz)
        return SessionInspection(sessionRate: rate, stems: reports, ignored: ignored)
    }

    /// Which stems need content features: those whose role must be guessed, plus (for telling
    /// doubles from harmonies) a named lead's pitch when any stem must be guessed.
    func contentAnalyses(for names: [String]) -> [ContentAnalysis] {
        let known = names.map { roleOverrides[$0] ?? RoleNameRules.role(forFileName: $0) }
        let anyGuessed = known.contains(nil)
        return known.map { role in
            switch role {
            case nil: return .featuresAndPitch
            case .lead? where anyGuessed: return .featuresAndPitch
            default: return .none
            }
        }
    }

    private func listFiles(in folder: URL) throws -> (candidates: [URL], ignored: [String]) {
        let entries: [URL]
        do {
            entries = try FileManager.default.contentsOfDirectory(
                at: folder, includingPropertiesForKeys: nil, options: [])
        } catch {
            throw InputRejection("\(folder.path): cannot read the folder (it does not exist or is not a folder)")
        }
        var candidates: [URL] = []
        var ignored: [String] = []
        for url in entries.sorted(by: { StemOrder.namePrecedes($0.lastPathComponent, $1.lastPathComponent) }) {
            // Names are data: shown only through `StemName`, which strips control characters.
            let name = StemName.displayName(url.lastPathComponent)
            var isDirectory: ObjCBool = false
            // Links are followed: a link to a folder is a folder, a link to a stem a stem.
            _ = FileManager.default.fileExists(atPath: url.resolvingSymlinksInPath().path, isDirectory: &isDirectory)
            if isDirectory.boolValue {
                ignored.append("\(name): a folder (only the files directly in the session folder are stems)")
            } else if name.hasPrefix(".") {
                ignored.append("\(name): a hidden file")
            } else if !url.pathExtension.isEmpty, !Self.audioExtensions.contains(url.pathExtension.lowercased()) {
                ignored.append("\(name): not an audio file name (.\(url.pathExtension))")
            } else {
                candidates.append(url)
            }
        }
        return (candidates, ignored)
    }

    private func scanAll(
        _ urls: [URL], analyses: [ContentAnalysis], progress: (@Sendable (Double) -> Void)?
    ) async -> [StemReport] {
        let sizes = urls.map { Double((try? $0.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0) + 1 }
        let totalSize = sizes.reduce(0, +)
        let tracker = ProgressTracker(count: urls.count)
        return await withTaskGroup(of: (Int, StemReport).self) { group in
            var next = 0
            var reports = [StemReport?](repeating: nil, count: urls.count)
            func start(_ index: Int) {
                let url = urls[index]
                let weight = sizes[index] / totalSize
                let analysis = analyses[index]
                let loudnessMeter = self.loudnessMeter
                group.addTask {
                    let report = StemScanner.scan(
                        url: url, displayName: StemName.displayName(url.lastPathComponent),
                        analysis: analysis, loudnessMeter: loudnessMeter
                    ) { fraction in
                        if let progress { progress(tracker.update(index, to: fraction * weight)) }
                    }
                    if let progress { progress(tracker.update(index, to: weight)) }
                    return (index, report)
                }
            }
            while next < min(concurrency, urls.count) {
                start(next)
                next += 1
            }
            for await (index, report) in group {
                reports[index] = report
                if next < urls.count {
                    start(next)
                    next += 1
                }
            }
            return reports.compactMap { $0 }
        }
    }
}

/// Sums per-file progress shares reported from several scanning tasks.
final class ProgressTracker: Sendable {
    private let shares: Mutex<[Double]>

    init(count: Int) {
        shares = Mutex([Double](repeating: 0, count: count))
    }

    /// Records file `index` at `share` of the whole and returns the total done.
    func update(_ index: Int, to share: Double) -> Double {
        shares.withLock { shares in
            shares[index] = max(shares[index], share)
            return min(1, shares.reduce(0, +))
        }
    }
}
