import Foundation
import MixEngine

/// What a job was started with (`POST /api/sessions/{id}/jobs`), stored with it as JSON.
struct JobOptions: Codable, Sendable, Equatable {
    var recipe: String
    var format: OutputFormat
    var fps: Int
    var basic: Bool
    /// How much of each automatic stage to apply (nil: all; jobs stored before it existed).
    var intensity: MixIntensity?

    /// The request body: every field optional.
    struct Request: Decodable {
        var recipe: String?
        var format: String?
        var fps: Int?
        var basic: Bool?
        var intensity: IntensityRequest?
    }

    /// `{"tracks"?: {stage: percent}, "master"?: {stage: percent}}`, each stage optional.
    struct IntensityRequest: Decodable {
        struct Stages: Decodable {
            var eq: Double?
            var compression: Double?
            var saturation: Double?
            var width: Double?
            var limiter: Double?
        }

        var tracks: Stages?
        var master: Stages?

        /// The shares asked for; errors name the field (`intensity.master.width`).
        func intensity() throws -> MixIntensity {
            func shares(_ stages: Stages?, _ scope: String) throws -> StageIntensity {
                var intensity = StageIntensity.full
                let given: [(String, Double?)] = [
                    ("eq", stages?.eq), ("compression", stages?.compression), ("saturation", stages?.saturation),
                    ("width", stages?.width), ("limiter", stages?.limiter),
                ]
                for case let (stage, percent?) in given {
                    guard percent.isFinite, (0...100).contains(percent) else {
                        throw APIError.invalid("intensity.\(scope).\(stage)", "a percent from 0 to 100 (got \(percent))")
                    }
                    if scope == "master", stage == "saturation" {
                        throw APIError.invalid("intensity.master.saturation", "the master has no saturation stage")
                    }
                    if scope == "tracks", stage == "limiter" {
                        throw APIError.invalid("intensity.tracks.limiter", "the tracks have no limiter; the limiter is the master's")
                    }
                    intensity[stage: stage] = percent / 100
                }
                return intensity
            }
            return MixIntensity(tracks: try shares(tracks, "tracks"), master: try shares(master, "master"))
        }
    }

    /// Checks a request against the recipes there are; errors name the field.
    init(_ request: Request, library: PresetLibrary) throws {
        recipe = request.recipe ?? PresetLibrary.defaultRecipeName
        guard library.recipes[recipe] != nil else {
            throw APIError.invalid("recipe", "no recipe named '\(recipe)'; recipes are \(library.recipeNames.joined(separator: ", "))")
        }
        let formatName = request.format ?? OutputFormat.wav24.rawValue
        guard let format = OutputFormat(rawValue: formatName) else {
            throw APIError.invalid(
                "format", "no format '\(formatName)'; formats are \(OutputFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.format = format
        fps = request.fps ?? 30
        guard MixOptions.framesPerSecondRange.contains(fps) else {
            throw APIError.invalid("fps", "meter frames per second must be 10 to 60 (got \(fps))")
        }
        basic = request.basic ?? false
        intensity = try request.intensity?.intensity()
    }

    func json() -> String {
        String(decoding: (try? JSONEncoder().encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }

    static func decode(_ json: String) throws -> JobOptions {
        try JSONDecoder().decode(JobOptions.self, from: Data(json.utf8))
    }
}
