/// The stable processing order (SPEC §2): by role (lead, double, harmony, adlib, other, beat),
/// then by name, compared case-insensitively first and by Unicode scalars to break ties, so
/// the order never depends on the file system's listing order or the locale.
public enum StemOrder {
    public static func precedes(_ a: StemReport, _ b: StemReport) -> Bool {
        if a.isUsable != b.isUsable { return a.isUsable }
        if a.role.role != b.role.role { return a.role.role < b.role.role }
        return namePrecedes(a.fileName, b.fileName)
    }

    public static func namePrecedes(_ a: String, _ b: String) -> Bool {
        let foldedA = a.lowercased(), foldedB = b.lowercased()
        if foldedA != foldedB { return foldedA.unicodeScalars.lexicographicallyPrecedes(foldedB.unicodeScalars) }
        return a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
    }
}
