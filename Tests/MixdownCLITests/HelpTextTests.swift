import Foundation
import MixTesting
import Testing

/// The help a user reads is part of the interface: it changes only on purpose. Record anew with
/// `MIXDOWN_RECORD_GOLDEN=1 swift test --filter HelpText` (that run fails, so a recording is
/// never mistaken for a pass), then review the diff.
@Suite("Help text (golden)")
struct HelpTextTests {
    static let golden = Corpus.repositoryRoot.appendingPathComponent("Tests/MixdownCLITests/Golden")

    @Test("help matches its golden file", arguments: ["mixdown", "mix", "inspect", "frames", "serve", "demo"])
    func help(command: String) throws {
        let arguments = command == "mixdown" ? ["--help"] : [command, "--help"]
        let result = try ProcessRunner.run(CLITests.binary, arguments, environment: ["COLUMNS": "100"])
        #expect(result.status == 0)
        let file = Self.golden.appendingPathComponent("\(command)-help.txt")
        if ProcessInfo.processInfo.environment["MIXDOWN_RECORD_GOLDEN"] == "1" {
            try result.standardOutput.write(to: file, atomically: true, encoding: .utf8)
            Issue.record("recorded \(file.lastPathComponent); run again without MIXDOWN_RECORD_GOLDEN")
            return
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(result.standardOutput == expected)
    }
}
