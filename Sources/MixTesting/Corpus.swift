import Foundation

/// Where the shared test corpus (`../shared/corpus`, beside the repository) and its generated
/// audio are. Tests that need them are skipped, with a message saying so, when they are absent.
public enum Corpus {
    /// The repository's root folder (found from this source file's path).
    public static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared/corpus`, when present.
    public static let scriptsDirectory: URL? = {
        let url = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus")
        return FileManager.default.fileExists(atPath: url.appendingPathComponent("gen_bad_inputs.py").path) ? url : nil
    }()

    /// Whether the corpus generators are here.
    public static var isAvailable: Bool { scriptsDirectory != nil }

    /// The generated stem sessions (`gen_sessions.sh`): `$MIXDOWN_CORPUS/sessions`, which
    /// `scripts/test` fills, else `/tmp/mixdown-corpus/sessions`; nil when not generated.
    public static let sessionsDirectory: URL? = {
        let base = ProcessInfo.processInfo.environment["MIXDOWN_CORPUS"] ?? "/tmp/mixdown-corpus"
        let url = URL(fileURLWithPath: base).appendingPathComponent("sessions")
        let index = url.appendingPathComponent("index.json")
        return FileManager.default.fileExists(atPath: index.path) ? url : nil
    }()

    /// The message shown when a corpus test is skipped.
    public static let absentMessage =
        "../shared/corpus is absent (it sits beside the repository in CI and on the team's machines)"
    public static let sessionsAbsentMessage =
        "the corpus sessions were not generated: ./scripts/test generates them when ../shared is present"

    /// Runs `gen_bad_inputs.py` into `folder` and returns its decoded manifest.
    public static func generateBadInputs(into folder: URL) throws -> BadInputManifest {
        guard let scripts = scriptsDirectory else { throw CorpusError(message: absentMessage) }
        let result = try ProcessRunner.run(
            "/usr/bin/env", ["python3", scripts.appendingPathComponent("gen_bad_inputs.py").path, folder.path])
        guard result.status == 0 else {
            throw CorpusError(message: "gen_bad_inputs.py failed (needs numpy, flac, lame: run ./scripts/test): \(result.standardError)")
        }
        let data = try Data(contentsOf: folder.appendingPathComponent("manifest.json"))
        return try JSONDecoder().decode(BadInputManifest.self, from: data)
    }

    /// The manifest of a generated session, by folder name ("01_trap_daw_export").
    public static func sessionManifest(_ session: String) throws -> SessionManifest {
        guard let sessions = sessionsDirectory else { throw CorpusError(message: sessionsAbsentMessage) }
        let data = try Data(contentsOf: sessions.appendingPathComponent("manifests/\(session).json"))
        return try JSONDecoder().decode(SessionManifest.self, from: data)
    }
}

/// A corpus that cannot be used, and why.
public struct CorpusError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// `bad_inputs/manifest.json`.
public struct BadInputManifest: Decodable, Sendable {
    public let count: Int
    public let cases: [Case]

    public struct Case: Decodable, Sendable, CustomStringConvertible {
        public let file: String
        public let uploadName: String
        public let expect: String
        public let errorHint: [String]?
        public let expectedRole: String?
        public let why: String

        enum CodingKeys: String, CodingKey {
            case file, expect, why
            case uploadName = "upload_name"
            case errorHint = "error_hint"
            case expectedRole = "expected_role"
        }

        public var description: String { file }
    }
}

/// `sessions/manifests/<session>.json`.
public struct SessionManifest: Decodable, Sendable {
    public let session: String
    public let longestStemS: Double
    public let majoritySampleRate: Int
    public let files: [File]

    public struct File: Decodable, Sendable {
        public let file: String
        public let role: String
        public let contentRole: String
        public let waveFormatTag: String?
        public let sampleRate: Int
        public let channels: Int
        public let frames: Int
        public let durationS: Double
        public let format: String
        public let subtype: String
        public let peakDbfs: Double
        public let integratedLufs: Double?

        enum CodingKeys: String, CodingKey {
            case file, role, channels, frames, format, subtype
            case contentRole = "content_role"
            case waveFormatTag = "wave_format_tag"
            case sampleRate = "sample_rate"
            case durationS = "duration_s"
            case peakDbfs = "peak_dbfs"
            case integratedLufs = "integrated_lufs"
        }
    }

    enum CodingKeys: String, CodingKey {
        case session, files
        case longestStemS = "longest_stem_s"
        case majoritySampleRate = "majority_sample_rate"
    }
}
