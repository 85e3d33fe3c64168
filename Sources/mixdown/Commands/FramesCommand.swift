import ArgumentParser
import Foundation
import MixEngine

/// `mixdown frames <file>`: a mix's meter frames in the original service's JSON shapes.
struct FramesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "frames",
        abstract: "Print a mix's meter frames as JSON (realtime_meters, realtime_spectra, realtime_scope).",
        discussion: "One JSON object per line. Without --at, every frame."
    )

    @Argument(help: "A .frames file written by mixdown mix.", completion: .file(extensions: ["frames"]))
    var file: String

    @Option(help: "Only the frame at this time of the mix, in seconds.")
    var at: Double?

    func validate() throws {
        if let at, !(at >= 0 && at.isFinite) { throw ValidationError("--at \(at): a time in seconds, 0 or more") }
    }

    func run() async throws {
        let reader: FrameFileReader
        do {
            reader = try FrameFileReader(url: URL(fileURLWithPath: file))
        } catch let error as MixError {
            throw CommandFailure(error.description)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let indices: Range<Int>
        if let at {
            let position = at * Double(reader.header.framesPerSecond)
            guard position < Double(reader.frameCount) else {
                throw CommandFailure(
                    "--at \(at): the mix lasts \(String(format: "%.2f", Double(reader.frameCount) / Double(reader.header.framesPerSecond))) s")
            }
            indices = Int(position)..<(Int(position) + 1)
        } else {
            indices = 0..<reader.frameCount
        }
        for index in indices {
            do {
                var line = try encoder.encode(try reader.frame(at: index).realtimeBlocks)
                line.append(0x0A)
                FileHandle.standardOutput.write(line)
            } catch let error as MixError {
                throw CommandFailure(error.description)
            }
        }
    }
}
