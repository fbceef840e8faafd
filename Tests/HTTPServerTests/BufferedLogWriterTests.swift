import Dispatch
import Foundation
import HTTPServer
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The access log's buffer: lines reach the file on their own within the flush interval, no line
/// of a burst from many threads is lost or torn, and `close()` writes what is left.
@Suite struct BufferedLogWriterTests {
    /// A fresh temporary file, open for writing, and its path.
    private static func temporaryFile() throws -> (fd: Int32, path: String) {
        let path = NSTemporaryDirectory() + "gradcheck-log-\(UUID().uuidString)"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0o600)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown) }
        return (fd, path)
    }

    private static func contents(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    @Test func aLineIsWrittenWithinTheFlushIntervalWithoutAFlush() throws {
        let (fd, path) = try Self.temporaryFile()
        defer {
            close(fd)
            unlink(path)
        }
        let interval = Duration.milliseconds(100)
        let log = BufferedLogWriter(fileDescriptor: fd, flushInterval: interval)
        defer { log.close() }
        let start = ContinuousClock.now
        log.write(line: "GET /healthz 200 15B 0.042ms")
        // Polled, not slept on: the line must show up by itself, without flush() or close().
        var written = false
        while ContinuousClock.now - start < .seconds(5) {
            if Self.contents(path) == "GET /healthz 200 15B 0.042ms\n" {
                written = true
                break
            }
            usleep(2000)
        }
        let elapsed = ContinuousClock.now - start
        #expect(written)
        // Nothing but the interval's timer writes it (no flush, no close, the buffer far from
        // full); the bound allows a machine busy with other builds a second of scheduling delay.
        #expect(elapsed < interval + .seconds(1), "written after \(elapsed)")
    }

    @Test func everyLineOfABurstFromManyThreadsReachesTheFileWholeAndInOrder() throws {
        let (fd, path) = try Self.temporaryFile()
        defer {
            close(fd)
            unlink(path)
        }
        // A small buffer, so the burst goes through full-buffer wake-ups and the over-limit path
        // (the appender writing itself) as well as the timer.
        let log = BufferedLogWriter(fileDescriptor: fd, capacity: 512, flushInterval: .milliseconds(20))
        let threads = 8
        let linesEach = 5000
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for line in 0..<linesEach {
                log.append { bytes in bytes.append(contentsOf: "thread=\(thread) line=\(line) padding-padding-padding\n".utf8) }
            }
        }
        log.close()
        let lines = Self.contents(path).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.last == "", "the file ends with a newline")
        var next = [Int](repeating: 0, count: threads)
        var torn = 0
        for line in lines.dropLast() {
            let fields = line.split(separator: " ")
            guard fields.count == 3, fields[2] == "padding-padding-padding",
                let thread = Int(fields[0].dropFirst("thread=".count)), let number = Int(fields[1].dropFirst("line=".count)),
                (0..<threads).contains(thread)
            else {
                torn += 1
                continue
            }
            #expect(number == next[thread], "thread \(thread): line \(number) after \(next[thread] - 1)")
            next[thread] = number + 1
        }
        #expect(torn == 0)
        #expect(lines.count - 1 == threads * linesEach)
        #expect(next == [Int](repeating: linesEach, count: threads))
    }

    @Test func flushWritesAtOnceAndCloseWritesWhatIsLeft() throws {
        let (fd, path) = try Self.temporaryFile()
        defer {
            close(fd)
            unlink(path)
        }
        // An interval far longer than the test: only flush() and close() can write these.
        let log = BufferedLogWriter(fileDescriptor: fd, flushInterval: .seconds(3600))
        log.write(line: "one")
        log.write(line: "two", flush: true)
        #expect(Self.contents(path) == "one\ntwo\n")
        log.write(line: "three")
        #expect(Self.contents(path) == "one\ntwo\n")
        log.close()
        #expect(Self.contents(path) == "one\ntwo\nthree\n")
        log.write(line: "after close", flush: true)
        #expect(Self.contents(path) == "one\ntwo\nthree\nafter close\n")
    }
}
