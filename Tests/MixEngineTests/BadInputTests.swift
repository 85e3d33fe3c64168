import Foundation
import MixEngine
import MixTesting
import Testing

/// The 63 malformed, hostile and borderline files of `gen_bad_inputs.py`: each must end as its
/// manifest's `expect` says, rejections naming the file and giving the manifest's hint words.
@Suite("Bad input", .enabled(if: Corpus.isAvailable, Comment(rawValue: Corpus.absentMessage)))
struct BadInputTests {
    /// Generated once for the suite (under a second).
    static let generated: Result<(TemporaryDirectory, BadInputManifest), any Error> = Result {
        let folder = try TemporaryDirectory(prefix: "mixdown-bad-inputs")
        return (folder, try Corpus.generateBadInputs(into: folder.url))
    }

    @Test("every case ends as the manifest expects")
    func everyCase() throws {
        let (folder, manifest) = try Self.generated.get()
        #expect(manifest.cases.count == manifest.count)
        #expect(manifest.count >= 63)
        var accepted = 0, rejected = 0
        for testCase in manifest.cases {
            let displayName = StemName.displayName(testCase.uploadName)
            let report = StemScanner.scan(url: folder.file(testCase.file), displayName: displayName)
            let message = report.rejectionMessage?.lowercased() ?? ""
            switch testCase.expect {
            case "reject":
                #expect(!report.isUsable, "\(testCase.file) must be rejected: \(testCase.why)")
                for hint in testCase.errorHint ?? [] {
                    #expect(message.contains(hint.lowercased()), "\(testCase.file): '\(hint)' missing from \"\(message)\"")
                }
            case "accept":
                #expect(report.isUsable, "\(testCase.file) must be accepted: \(report.problems)")
            default:
                // Either is defensible; a rejection must still say why in the manifest's words.
                if !report.isUsable, let hints = testCase.errorHint {
                    #expect(hints.contains { message.contains($0.lowercased()) }, "\(testCase.file): \"\(message)\"")
                }
            }
            if !report.isUsable {
                rejected += 1
                #expect(report.rejectionMessage!.hasPrefix(displayName + ": "), "the message names the file")
            } else {
                accepted += 1
                // Usable files never carry non-finite levels into the mix.
                #expect(report.peakDBFS.map(\.isFinite) ?? true)
                #expect(report.loudnessLUFS.map(\.isFinite) ?? true)
            }
            if let role = testCase.expectedRole {
                #expect(RoleNameRules.role(forFileName: displayName)?.rawValue == role, "\(testCase.file)")
            }
        }
        #expect(accepted + rejected == manifest.count)
    }

    @Test("hostile upload names become harmless display names: no control characters, at most 255 bytes")
    func hostileNames() throws {
        let (_, manifest) = try Self.generated.get()
        for testCase in manifest.cases {
            let name = StemName.displayName(testCase.uploadName)
            #expect(!name.isEmpty)
            #expect(name.utf8.count <= StemName.maximumByteCount)
            #expect(!name.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "\(testCase.file)")
        }
        #expect(StemName.displayName("Lead Vox.wav\u{0}.exe") == "Lead Vox.wav.exe")
        #expect(StemName.displayName("") == "unnamed")
        #expect(StemName.displayName("  \r\n ") == "unnamed")
        // Cut at a character boundary, never inside a multi-byte character.
        let long = String(repeating: "é", count: 200)
        #expect(StemName.displayName(long).utf8.count == 254)
    }

    @Test("inspecting the whole folder checks every file and exits with each rejection listed")
    func wholeFolder() async throws {
        let (folder, manifest) = try Self.generated.get()
        let inspection = try await SessionInspector().inspect(folder: folder.url)
        #expect(inspection.stems.count == manifest.count)
        #expect(inspection.ignored.contains { $0.hasPrefix("manifest.json") })
        let rejectCases = Set(manifest.cases.filter { $0.expect == "reject" }.map(\.file))
        let rejectedFiles = Set(inspection.rejectedStems.map(\.fileName))
        #expect(rejectCases.isSubset(of: rejectedFiles))
    }
}
