import ArgumentParser
import Foundation
import MixEngine
import Synchronization

/// `mixdown mix <folder>`: inspects the session, renders it, masters it to the recipe's loudness
/// target under its true-peak ceiling, and prints what it did.
struct MixCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mix",
        abstract: "Mix and master a folder of stems into one stereo file.",
        discussion: """
            Writes the mix, its meter frames (<out>.frames) and a summary (<out>.summary.json). \
            Exits 2 when a stem is rejected (nothing is written; --skip-invalid mixes the rest), \
            1 when the mix cannot be made.
            """
    )

    @Argument(help: "The folder of stems.", completion: .directory)
    var folder: String

    @Option(help: "Where to write the mix (default: <folder>-mix.<ext> next to the folder).", completion: .file())
    var out: String?

    @Option(help: "The master recipe: balanced, warm, bright, punchy, loud, clean, or one from --recipes.")
    var recipe: String = PresetLibrary.defaultRecipeName

    @Option(help: "Output format.")
    var format: OutputFormat = .wav24

    @OptionGroup var session: SessionOptions

    @Flag(help: "The legacy mix: a plain sum with the role gains, no processing.")
    var basic = false

    @Option(help: "Meter frames per second of audio (10–60).")
    var fps: Int = 30

    @Option(
        name: .customLong("intensity"),
        help: ArgumentHelp(
            "How much of an automatic stage to apply: [tracks.|master.]STAGE=PERCENT, STAGE one of eq, compression, saturation (tracks), width, limiter (the master's push to its target); 0 bypasses it, 100 (the default) is the full preset. Without tracks. or master., both. Repeatable.",
            valueName: "STAGE=PERCENT"))
    var intensities: [String] = []

    @Option(
        help: "A song whose tonal balance (a master EQ within ±6 dB per band) and loudness the master matches, under the recipe's ceiling.",
        completion: .file())
    var reference: String?

    @Option(help: "A JSON file of role preset changes, merged onto the built-in presets.", completion: .file())
    var presets: String?

    @Option(help: "A JSON file of recipes to add or change, merged onto the built-in recipes.", completion: .file())
    var recipes: String?

    @Flag(help: "Mix the usable stems when some are rejected, listing those skipped.")
    var skipInvalid = false

    @Flag(help: "Print the summary as JSON.")
    var json = false

    func validate() throws {
        guard MixOptions.framesPerSecondRange.contains(fps) else {
            throw ValidationError("--fps \(fps): meter frames per second must be 10 to 60")
        }
        let library = try loadLibrary()
        guard library.recipes[recipe] != nil else {
            throw ValidationError("--recipe \(recipe): no such recipe; recipes are \(library.recipeNames.joined(separator: ", "))")
        }
        let folderPath = URL(fileURLWithPath: folder).standardizedFileURL.resolvingSymlinksInPath().path
        let outDirectory = outputURL.deletingLastPathComponent().standardizedFileURL.resolvingSymlinksInPath().path
        if outDirectory == folderPath {
            throw ValidationError(
                "--out \(outputURL.path): the mix would land in the session folder and be taken as a stem next time; write it elsewhere")
        }
        _ = try parsedIntensity()
        if basic, let reference {
            throw ValidationError("--reference \(reference): the basic mix is the plain sum; it matches no reference")
        }
        if let ext = out.map({ URL(fileURLWithPath: $0).pathExtension.lowercased() }), !ext.isEmpty, ext != format.fileExtension {
            throw ValidationError("--out \(out!): a .\(ext) name for \(format.rawValue) output; use .\(format.fileExtension)")
        }
    }

    /// The `--reference` song, measured.
    private func analyzedReference() throws -> ReferenceTrack? {
        guard let reference else { return nil }
        do {
            return try ReferenceTrack.analyze(url: URL(fileURLWithPath: reference))
        } catch let error as MixError {
            // A reference that cannot be used is a bad option value, like any other.
            throw ValidationError("--reference \(reference): \(error.description)")
        }
    }

    /// The `--intensity` options: `[tracks.|master.]STAGE=PERCENT`, later ones winning.
    func parsedIntensity() throws -> MixIntensity {
        var intensity = MixIntensity.full
        for entry in intensities {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let percent = Double(parts[1]), percent.isFinite, (0...100).contains(percent) else {
                throw ValidationError("--intensity \(entry): expected STAGE=PERCENT with PERCENT from 0 to 100")
            }
            let scope = parts[0].split(separator: ".", maxSplits: 1).map(String.init)
            let (on, stage) = scope.count == 2 ? (scope[0], scope[1]) : ("both", scope[0])
            guard StageIntensity.stageNames.contains(stage), ["both", "tracks", "master"].contains(on) else {
                throw ValidationError(
                    "--intensity \(entry): no such stage; stages are \(StageIntensity.stageNames.joined(separator: ", ")), optionally after tracks. or master.")
            }
            if on == "master", stage == "saturation" {
                throw ValidationError("--intensity \(entry): the master has no saturation stage")
            }
            if on == "tracks", stage == "limiter" {
                throw ValidationError("--intensity \(entry): the tracks have no limiter; the limiter is the master's")
            }
            // Without a scope, a stage goes where it is: saturation on the tracks, the limiter on the master.
            if on != "master", stage != "limiter" { intensity.tracks[stage: stage] = percent / 100 }
            if on != "tracks", stage != "saturation" { intensity.master[stage: stage] = percent / 100 }
        }
        return intensity
    }

    /// `--out`, or `<folder>-mix.<ext>` next to the folder.
    var outputURL: URL {
        if let out { return URL(fileURLWithPath: out) }
        let folderURL = URL(fileURLWithPath: folder).standardizedFileURL
        let name = folderURL.lastPathComponent.isEmpty ? "session" : folderURL.lastPathComponent
        return folderURL.deletingLastPathComponent().appendingPathComponent("\(name)-mix.\(format.fileExtension)")
    }

    private func loadLibrary() throws -> PresetLibrary {
        do {
            return try PresetLibrary.load(
                presetsFile: presets.map { URL(fileURLWithPath: $0) }, recipesFile: recipes.map { URL(fileURLWithPath: $0) })
        } catch let error as PresetError {
            throw ValidationError(error.description)
        }
    }

    func run() async throws {
        let library = try loadLibrary()
        let options = MixOptions(
            recipeName: recipe, recipe: try library.recipe(named: recipe), presets: library.rolePresets, format: format,
            framesPerSecond: fps, basic: basic, intensity: try parsedIntensity(), reference: try analyzedReference())
        let summary = try await MixSession.run(
            folder: URL(fileURLWithPath: folder), output: outputURL, options: options,
            inspector: SessionInspector(
                rateOverrideHz: session.rate, roleOverrides: try session.parsedRoles(), loudnessMeter: .engine),
            skipInvalid: skipInvalid, showProgress: !json)
        if json {
            FileHandle.standardOutput.write(try SummaryFile.encode(summary))
            print()
        } else {
            print(MixTable(summary).render())
        }
    }
}

/// Inspect then render, with a progress bar; shared by `mix` and `demo`.
enum MixSession {
    static func run(
        folder: URL, output: URL, options: MixOptions, inspector: SessionInspector, skipInvalid: Bool, showProgress: Bool
    ) async throws -> MixSummary {
        let progress = showProgress ? ProgressBar(label: "mixing") : nil
        let interrupt = InterruptFlag()
        let inspection: SessionInspection
        do {
            inspection = try await inspector.inspect(folder: folder) {
                progress?.update(0.1 * $0, stage: MixStage.loading.label)
            }
        } catch let rejection as InputRejection {
            progress?.finish()
            throw CommandFailure(rejection.reason)
        }
        if !inspection.rejectedStems.isEmpty, !skipInvalid {
            progress?.finish()
            var message = "cannot mix: \(inspection.rejectedStems.count) of \(inspection.stems.count) files rejected; nothing was written\n"
            for stem in inspection.rejectedStems { message += "  ✗ \(stem.rejectionMessage ?? stem.fileName)\n" }
            message += "Fix or remove them, or pass --skip-invalid to mix the rest."
            FileHandle.standardError.write(Data((message + "\n").utf8))
            throw ExitCode(2)
        }
        let outputFolder = output.deletingLastPathComponent()
        do {
            // `--out renders/today/song.wav` makes its folder, as `cp` users expect of a tool that writes files.
            try FileManager.default.createDirectory(at: outputFolder, withIntermediateDirectories: true)
        } catch {
            progress?.finish()
            throw CommandFailure("--out \(output.path): cannot make the folder \(outputFolder.path): \(error.localizedDescription)")
        }
        let renderer = MixRenderer(options: options, skipInvalid: skipInvalid)
        do {
            let summary = try renderer.render(
                inspection, to: .init(mixURL: output),
                progress: { report in progress?.update(0.1 + 0.9 * report.fraction, stage: report.stage.label) },
                isCancelled: { interrupt.isSet })
            progress?.finish()
            return summary
        } catch MixError.cancelled {
            progress?.finish()
            FileHandle.standardError.write(Data("mixdown: cancelled; nothing was written\n".utf8))
            throw ExitCode(130)
        } catch {
            progress?.finish()
            throw CommandFailure(String(describing: error))
        }
    }
}

/// Ctrl-C while mixing: the render stops at its next block and cleans up after itself, instead
/// of the process dying with temporary files on disk. A second Ctrl-C quits at once.
final class InterruptFlag: @unchecked Sendable {  // `source` is touched only in init and deinit
    /// The flag itself, shared with the signal handler.
    private final class Flag: Sendable {
        let raised = Mutex(false)
    }

    private let flag = Flag()
    private let source: any DispatchSourceSignal

    init() {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [flag] in
            let again = flag.raised.withLock { raised in
                defer { raised = true }
                return raised
            }
            if again { exit(130) }
        }
        source.resume()
    }

    deinit {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }

    var isSet: Bool { flag.raised.withLock { $0 } }
}
