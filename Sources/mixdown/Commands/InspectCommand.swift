import ArgumentParser
import Foundation
import MixEngine

/// `mixdown inspect <folder>`: one row per file, every file checked, exit 2 when any is rejected.
struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Check every file of a session folder: format, rate, length, levels, role, problems.",
        discussion: "Exits 0 when every file is usable, 2 when any is rejected (each listed with its reason)."
    )

    @Argument(help: "The folder of stems.", completion: .directory)
    var folder: String

    @OptionGroup var session: SessionOptions

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        // A --role for a file that is not there would silently do nothing: refuse it before scanning.
        let names = Set((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
        for file in try session.parsedRoles().keys.sorted() where !names.isEmpty && !names.contains(file) {
            throw ValidationError("--role: no audio file named \"\(file)\" in \(folder)")
        }
    }

    func run() async throws {
        let inspector = SessionInspector(rateOverrideHz: session.rate, roleOverrides: try session.parsedRoles())
        let progress = json ? nil : ProgressBar(label: "inspecting")
        let inspection: SessionInspection
        do {
            inspection = try await inspector.inspect(folder: URL(fileURLWithPath: folder)) { progress?.update($0) }
        } catch let rejection as InputRejection {
            progress?.finish()
            throw CommandFailure(rejection.reason)
        }
        progress?.finish()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            FileHandle.standardOutput.write(try encoder.encode(InspectionDocument(inspection)))
            print()
        } else {
            print(InspectionTable(inspection).render())
        }
        if !inspection.rejectedStems.isEmpty {
            throw ExitCode(2)
        }
    }
}

/// Options shared by the commands that read a session: `--rate` and `--role`.
struct SessionOptions: ParsableArguments {
    @Option(help: "Session sample rate in Hz (default: the rate most stems share; 48000 when none).")
    var rate: Int?

    @Option(
        name: .customLong("role"),
        help: ArgumentHelp(
            "Set a stem's role: FILE=ROLE, ROLE one of \(Role.allCases.map(\.rawValue).joined(separator: ", ")). Repeatable.",
            valueName: "FILE=ROLE"))
    var roles: [String] = []

    func validate() throws {
        if let rate, !(8_000...384_000).contains(rate) {
            throw ValidationError("--rate \(rate): the session rate must be 8000 to 384000 Hz")
        }
        _ = try parsedRoles()
    }

    /// `--role` values as file name → role.
    func parsedRoles() throws -> [String: Role] {
        var result: [String: Role] = [:]
        for entry in roles {
            guard let equals = entry.lastIndex(of: "="), equals != entry.startIndex else {
                throw ValidationError("--role \"\(entry)\": expected FILE=ROLE, for example --role \"Audio 1.wav=lead\"")
            }
            let file = String(entry[..<equals])
            let roleName = entry[entry.index(after: equals)...].lowercased()
            guard let role = Role(rawValue: roleName) else {
                throw ValidationError(
                    "--role \"\(entry)\": unknown role '\(roleName)'; use one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            result[file] = role
        }
        return result
    }
}

/// A failure that is not a usage error: printed as "Error: <message>", exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String

    init(_ message: String) {
        description = message
    }
}
