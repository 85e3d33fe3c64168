import Foundation
import MixEngine
import Testing

@Suite("inspect --json document")
struct InspectionDocumentTests {
    @Test("every key of every file is present, null when unknown, with the documented names")
    func keys() throws {
        let good = StemReport(
            fileName: "Lead Vox.wav", format: AudioFormat(container: .wav, encoding: .pcm(bits: 24)), sampleRate: 48_000,
            channelCount: 1, frameCount: 96_000, peakDBFS: -6.004, loudnessLUFS: -23.456,
            role: RoleAssignment(.lead, source: .name))
        let bad = StemReport(fileName: "Dbl L.wav", rejection: InputRejection("truncated: …"))
        let document = InspectionDocument(SessionInspection(sessionRate: 48_000, stems: [good, bad], ignored: []))
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(document)) as! [String: Any]
        #expect(json["session_rate"] as? Int == 48_000)
        let files = json["files"] as! [[String: Any]]
        let keys: Set<String> = [
            "file", "format", "sample_rate", "channels", "duration_s", "peak_dbfs", "loudness_lufs", "role",
            "role_guessed", "usable", "problems",
        ]
        #expect(Set(files[0].keys) == keys)
        #expect(Set(files[1].keys) == keys)
        #expect(files[0]["format"] as? String == "WAV 24-bit PCM")
        #expect(files[0]["duration_s"] as? Double == 2.0)
        #expect(files[0]["peak_dbfs"] as? Double == -6.0)
        #expect(files[0]["loudness_lufs"] as? Double == -23.46)
        #expect(files[0]["role_guessed"] as? Bool == false)
        #expect(files[1]["usable"] as? Bool == false)
        #expect(files[1]["format"] is NSNull)
        #expect(files[1]["problems"] as? [String] == ["truncated: …"])
    }
}
