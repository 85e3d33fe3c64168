/// The stable processing order (SPEC §2): by role (lead, double, harmony, adlib, other, beat),
/// then by name, compared case-insensitively first and by Unicode scalars to break ties, then
/// by stem id (two uploads may share a name), so the order never depends on the file system's
/// listing order, the upload order or the locale.
public enum StemOrder {
    public static func precedes(_ a: StemReport, _ b: StemReport) -> Bool {
        if a.isUsable != b.isUsable { return a.isUsable }
        if a.role.role != b.role.role { return a.role.role < b.role.role }
        if namePrecedes(a.fileName, b.fileName) { return true }
        if namePrecedes(b.fileName, a.fileName) { return false }
        return a.id.unicodeScalars.lexicographicallyPrecedes(b.id.unicodeScalars)
    }

    public static func namePrecedes(_ a: String, _ b: String) -> Bool {
        let foldedA = a.lowercased(), foldedB = b.lowercased()
        if foldedA != foldedB { return foldedA.unicodeScalars.lexicographicallyPrecedes(foldedB.unicodeScalars) }
        return a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
    }
}
