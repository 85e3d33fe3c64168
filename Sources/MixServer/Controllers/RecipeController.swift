import Foundation
import Hummingbird
import MixEngine

/// `GET /api/recipes`: what a mix can be asked for (no token: it is the same for everyone).
struct RecipeController<Context: RequestContext> {
    let services: MixServices

    func addRoutes(to router: some RouterMethods<Context>) {
        router.get("/api/recipes", use: list)
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> RecipeListResponse {
        let library = services.library
        return RecipeListResponse(
            recipes: library.recipeNames.map { name in
                let recipe = library.recipes[name]!
                return .init(name: name, about: recipe.about, targetLUFS: recipe.targetLUFS, ceilingDBTP: recipe.ceilingDBTP)
            },
            defaultRecipe: PresetLibrary.defaultRecipeName, formats: OutputFormat.allCases.map(\.rawValue),
            fps: .init(minimum: MixOptions.framesPerSecondRange.lowerBound, maximum: MixOptions.framesPerSecondRange.upperBound, defaultValue: 30))
    }
}

/// The recipes, the output formats and the meter frame rates a job takes.
struct RecipeListResponse: ResponseEncodable {
    struct Recipe: Encodable {
        let name: String
        let about: String
        let targetLUFS: Double
        let ceilingDBTP: Double

        enum CodingKeys: String, CodingKey {
            case name, about
            case targetLUFS = "target_lufs", ceilingDBTP = "ceiling_dbtp"
        }
    }

    struct FramesPerSecond: Encodable {
        let minimum: Int
        let maximum: Int
        let defaultValue: Int

        enum CodingKeys: String, CodingKey {
            case minimum, maximum
            case defaultValue = "default"
        }
    }

    let recipes: [Recipe]
    let defaultRecipe: String
    let formats: [String]
    let fps: FramesPerSecond

    enum CodingKeys: String, CodingKey {
        case recipes, formats, fps
        case defaultRecipe = "default"
    }
}
