import Crypto
import Foundation

/// Session ids and their secret tokens: both 128+ random bits, the token only ever stored as its
/// SHA-256 and compared in constant time.
enum SessionToken {
    /// A new unguessable id (128 bits, hex).
    static func newID() -> String {
        randomBytes(16).map { String(format: "%02x", $0) }.joined()
    }

    /// A new secret token (256 bits, base64url).
    static func newToken() -> String {
        Data(randomBytes(32)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The token as stored.
    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Whether `token` is the one whose hash is `storedHash`, in time that does not depend on
    /// where they differ.
    static func matches(_ token: String, storedHash: String) -> Bool {
        let given = Array(hash(token).utf8), stored = Array(storedHash.utf8)
        guard given.count == stored.count else { return false }
        var difference: UInt8 = 0
        for index in given.indices { difference |= given[index] ^ stored[index] }
        return difference == 0
    }

    private static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
}
