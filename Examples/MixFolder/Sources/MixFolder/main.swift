// Mixes a folder of stems into a mastered stereo WAV through MixEngine's public API:
//
//     swift run mix-folder <folder> <out.wav> [recipe]
import Foundation
import MixEngine

let arguments = CommandLine.arguments.dropFirst()
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: mix-folder <folder> <out.wav> [recipe]\n".utf8))
    exit(64)
}
let folder = URL(fileURLWithPath: arguments[arguments.startIndex])
let output = URL(fileURLWithPath: arguments[arguments.startIndex + 1])
let recipe = arguments.count > 2 ? arguments[arguments.startIndex + 2] : "balanced"

do {
    // Read every file, guess each stem's role, settle the session's rate.
    let session = try await SessionInspector().inspect(folder: folder)
    // Render through the role chains and master to the recipe's target under its ceiling.
    let summary = try MixRenderer(options: .standard(recipe: recipe)).render(session, to: .init(mixURL: output))

    for track in summary.tracks {
        print("\(track.file): \(track.role.rawValue), match \(String(format: "%+.1f", track.matchGainDB)) dB")
    }
    let integrated = summary.integratedLUFS.map { String(format: "%.1f LUFS", $0) } ?? "silence"
    let truePeak = summary.truePeakDBTP.map { String(format: "%.1f dBTP", $0) } ?? "-inf dBTP"
    print("\(summary.output): \(integrated), true peak \(truePeak)")
} catch {
    FileHandle.standardError.write(Data("mix-folder: \(error)\n".utf8))
    exit(1)
}
