/// Which meter measures a stem's integrated loudness while it is scanned.
public enum StemLoudnessMeter: Sendable {
    /// libebur128, the reference: what `inspect` and the service's stem listing show.
    case libebur128
    /// The render's own BS.1770-4 meter (`GatedLoudnessMeter`, held within 0.05 LU of
    /// libebur128 by its tests), seven times faster: what `mix` uses for the loudness match,
    /// like every other loudness the render decides by. Files of more than two channels still
    /// go to libebur128, which weighs surround channels.
    case engine
}
