import ArgumentParser

/// The `mixdown` command: a folder of stems in, a finished mix out.
@main
struct Mixdown: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mixdown",
        abstract: "Turns a folder of stems into a finished, mastered stereo mix.",
        version: "0.1.0",
        subcommands: [MixCommand.self, InspectCommand.self, FramesCommand.self, ServeCommand.self, DemoCommand.self]
    )
}
