import ArgumentParser
import Foundation
import MixEngine

/// `mixdown demo`: writes a synthesized ~20 s session (lead, double, harmony, adlibs, beat) and
/// mixes it, so the product can be tried with no files of one's own.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Write a synthesized demo session (lead, double, harmony, adlibs, beat) and mix it."
    )

    @Option(help: "Folder to write the demo session to; the mix goes next to it.", completion: .directory)
    var out: String = "demo-session"

    @Option(help: "The master recipe.")
    var recipe: String = PresetLibrary.defaultRecipeName

    func run() async throws {
        let folder = URL(fileURLWithPath: out).standardizedFileURL
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
        let options: MixOptions
        do {
            options = try MixOptions.standard(recipe: recipe)
        } catch let error as PresetError {
            throw ValidationError(error.description)
        }
        let output = folder.deletingLastPathComponent().appendingPathComponent("\(folder.lastPathComponent)-mix.wav")
        let summary = try await MixSession.run(
            folder: folder, output: output, options: options, inspector: SessionInspector(loudnessMeter: .engine), skipInvalid: false,
            showProgress: true)
        print(MixTable(summary).render())
        print("\nNow mix your own stems: mixdown mix <folder>   (mixdown inspect <folder> checks them first)")
    }
}
