import Foundation

/// A temporary file of raw bytes written once in order, then read back: the groups after their
/// chains, the pre-limiter bus and the meter records live here, so memory stays flat however
/// long the song. The file is unlinked when the spool goes away.
final class Spool {
    let url: URL
    private let file: UnsafeMutablePointer<FILE>

    init(directory: URL, name: String) throws {
        url = directory.appendingPathComponent(".\(name).\(UUID().uuidString).spool")
        guard let file = fopen(url.path, "w+b") else {
            throw MixError.io("cannot create a temporary file in \(directory.path): \(String(cString: strerror(errno)))")
        }
        self.file = file
        // Unlinked at once: the open file lives on until it is closed, and nothing is left
        // behind however the process ends (Ctrl-C, a crash).
        unlink(url.path)
    }

    deinit {
        fclose(file)
    }

    /// Appends `count` bytes.
    func write(_ bytes: UnsafeRawPointer, count: Int) throws {
        guard fwrite(bytes, 1, count, file) == count else {
            throw MixError.io(
                "cannot write the temporary file \(url.lastPathComponent) in \(url.deletingLastPathComponent().path): \(String(cString: strerror(errno)))")
        }
    }

    /// Goes back to the start for reading.
    func rewind() {
        fflush(file)
        fseeko(file, 0, SEEK_SET)
    }

    /// Reads up to `count` bytes; returns how many were read (fewer only at the end).
    func read(into bytes: UnsafeMutableRawPointer, count: Int) -> Int {
        fread(bytes, 1, count, file)
    }

    /// Reads up to `count` bytes from `offset` without moving the read position, so several
    /// threads can read different parts at once (after `rewind`, which flushes what was written).
    func read(into bytes: UnsafeMutableRawPointer, count: Int, at offset: Int64) -> Int {
        var done = 0
        while done < count {
            let n = pread(fileno(file), bytes + done, count - done, off_t(offset) + off_t(done))
            guard n > 0 else { break }
            done += n
        }
        return done
    }

    /// Overwrites `count` bytes at `offset` (after `rewind`), leaving the read position alone:
    /// the blend pass completes the records the first pass wrote.
    func write(_ bytes: UnsafeRawPointer, count: Int, at offset: Int64) throws {
        var done = 0
        while done < count {
            let n = pwrite(fileno(file), bytes + done, count - done, off_t(offset) + off_t(done))
            guard n > 0 else {
                throw MixError.io(
                    "cannot write the temporary file \(url.lastPathComponent) in \(url.deletingLastPathComponent().path): \(String(cString: strerror(errno)))")
            }
            done += n
        }
    }
}
