import Foundation

/// The kinds of meter data a realtime stream carries (`channels=meters,spectra,scope,loudness`);
/// only what a client asks for is sent. The raw values are the bits of the binary message's
/// channel mask.
struct StreamChannels: OptionSet, Hashable, Sendable {
    let rawValue: UInt16

    /// Per-track RMS, peak, compressor and de-esser GR; master bus-compressor GR, limiter GR,
    /// RMS, sample and true peak.
    static let meters = StreamChannels(rawValue: 1)
    /// Momentary, short-term, integrated so far, loudness range so far, true peak so far.
    static let loudness = StreamChannels(rawValue: 2)
    /// 256 bands per track, pre- and post-master.
    static let spectra = StreamChannels(rawValue: 4)
    /// Pre-master, post-master and final: waveform, correlation, goniometer.
    static let scope = StreamChannels(rawValue: 8)

    static let all: StreamChannels = [.meters, .loudness, .spectra, .scope]

    /// The names, in the order the sections come in a binary message.
    static let named: [(name: String, channel: StreamChannels)] = [
        ("meters", .meters), ("loudness", .loudness), ("spectra", .spectra), ("scope", .scope),
    ]

    /// `meters,spectra`; nil for an empty list or an unknown name (named in `unknown`).
    static func parse(_ text: String) -> Result<StreamChannels, ParseError> {
        var channels: StreamChannels = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let name = part.trimmingCharacters(in: .whitespaces)
            guard let channel = named.first(where: { $0.name == name })?.channel else {
                return .failure(ParseError(name: name))
            }
            channels.insert(channel)
        }
        return channels.isEmpty ? .failure(ParseError(name: "")) : .success(channels)
    }

    struct ParseError: Error {
        let name: String
    }

    /// The names of the channels in this set.
    var names: [String] { Self.named.filter { contains($0.channel) }.map(\.name) }
}
