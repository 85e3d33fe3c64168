import ArgumentParser
import Foundation
import MixEngine

/// `mixdown demo`: writes a synthesized ~20 s session (lead, double, harmony, adlibs, beat)
/// and inspects it, so the product can be tried with no files of one's own.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Write a synthesized demo session (lead, double, harmony, adlibs, beat) and inspect it."
    )

    @Option(help: "Folder to write the demo session to.", completion: .directory)
    var out: String = "demo-session"

    func run() async throws {
        let folder = URL(fileURLWithPath: out)
        let progress = ProgressBar(label: "synthesizing")
        let files: [URL]
        do {
            files = try DemoSession.write(to: folder) { progress.update($0) }
        } catch let rejection as InputRejection {
            progress.finish()
            throw CommandFailure(rejection.reason)
        }
        progress.finish()
        print("Wrote the demo session to \(folder.path): \(files.map(\.lastPathComponent).joined(separator: ", "))\n")
        let inspection = try await SessionInspector().inspect(folder: folder)
        print(InspectionTable(inspection).render())
        print("\nMixing arrives with the mix engine; for now, inspect your own stems: mixdown inspect <folder>")
        if !inspection.rejectedStems.isEmpty { throw ExitCode(2) }
    }
}
