import Foundation
import MixEngine

/// What a job was started with (`POST /api/sessions/{id}/jobs`), stored with it as JSON.
struct JobOptions: Codable, Sendable, Equatable {
    var recipe: String
    var format: OutputFormat
    var fps: Int
    var basic: Bool

    /// The request body: every field optional.
    struct Request: Decodable {
        var recipe: String?
        var format: String?
        var fps: Int?
        var basic: Bool?
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
    }

    func json() -> String {
        String(decoding: (try? JSONEncoder().encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }

    static func decode(_ json: String) throws -> JobOptions {
        try JSONDecoder().decode(JobOptions.self, from: Data(json.utf8))
    }
}
