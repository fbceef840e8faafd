import Foundation
import TestSupport
import Testing

@testable import HTTPServer

/// The response encoder's fast paths against the plain rules they replace: the bytes of every
/// answer must stay what they were.
@Suite struct ResponseBytesTests {
    @Test func decimalsAreWrittenAsStringDoes() {
        let values = [0, 1, 9, 10, 11, 99, 100, 101, 200, 999, 1000, 65_535, 1 << 32, Int.max, -1, -9, -10, -12_345, Int.min + 1, Int.min]
        for value in values {
            var bytes: [UInt8] = [0x41]
            bytes.appendStaged { $0.append(decimal: value) }
            #expect(bytes == [0x41] + Array(String(value).utf8), "\(value)")
        }
    }

    @Test func textIsAppendedByteForByte() {
        let texts = [
            "", "a", "Content-Type", "exactly-15-byte", "sixteen-byte-str", "caf\u{E9} \u{1F600}", String(repeating: "xy", count: 300),
        ]
        for text in texts {
            var bytes: [UInt8] = [1, 2]
            bytes.appendStaged { $0.append(utf8: text) }
            #expect(bytes == [1, 2] + Array(text.utf8), "\(text)")
        }
        // A bridged or substring-made string may have no contiguous UTF-8: walked instead.
        let bridged = NSString(string: "bridged \u{E9}") as String
        var bytes: [UInt8] = []
        bytes.appendStaged { $0.append(utf8: bridged) }
        #expect(bytes == Array("bridged \u{E9}".utf8))
        bytes = []
        bytes.appendStaged { stage in
            stage.append(ascii: "HTTP/1.1 ")
            stage.append(ascii: "x")
        }
        #expect(bytes == Array("HTTP/1.1 x".utf8))
    }

    /// Pieces of every size up to past the stage's capacity, in random order, some written
    /// around the stage: the array gets them all, in order.
    @Test func stagedPiecesArriveInOrderWhateverTheirSize() {
        var generator = SeededRandom(seed: 11)
        for _ in 0..<200 {
            var expected: [UInt8] = [7]
            var bytes: [UInt8] = [7]
            bytes.appendStaged { stage in
                for _ in 0..<Int(generator.next() % 40) {
                    let count = Int(generator.next() % 3 == 0 ? generator.next() % 1200 : generator.next() % 24)
                    let piece = (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                    switch generator.next() % 5 {
                    case 0:
                        stage.appendDirectly { $0.append(contentsOf: piece) }
                    case 1:
                        let number = Int(truncatingIfNeeded: generator.next()) >> Int(generator.next() % 64)
                        stage.append(decimal: number)
                        expected += Array(String(number).utf8)
                        continue
                    case 2:
                        let text = String(decoding: piece.map { $0 & 0x7F }, as: UTF8.self)
                        stage.append(utf8: text)
                        expected += Array(text.utf8)
                        continue
                    default:
                        stage.append(bytes: piece)
                    }
                    expected += piece
                }
            }
            #expect(bytes == expected)
        }
    }

    /// A generated id is written from its counter: the head, the log line and its text agree.
    @Test func aGeneratedIDReadsTheSameWhereverItIsWritten() {
        let id = RequestID.next()
        #expect(RequestID.isSane(id.text) && id.text.utf8.count == 32 && id.isHeaderSafe)
        var written: [UInt8] = []
        written.appendStaged { id.append(to: &$0) }
        #expect(written == Array(id.text.utf8))
        let entry = HTTPAccessLogEntry(
            method: "GET", path: "/", status: 200, bodyBytes: 0, nanoseconds: 0, id: id, remote: "-", rejection: nil)
        var logged: [UInt8] = []
        logged.appendStaged { entry.appendRequestID(to: &$0) }
        #expect(entry.requestID == id.text && logged == written)
        let head = HTTPResponseEncoder.encode(HTTPResponse(status: 204), keepAlive: true, requestID: id)
        #expect(String(decoding: head, as: UTF8.self) == "HTTP/1.1 204 No Content\r\nX-Request-Id: \(id.text)\r\n\r\n")
        #expect(RequestID.next() != id && RequestID(text: "abc").text == "abc")
    }

    @Test func requestIDDigitsAreLowercaseHexMostSignificantFirst() {
        var values: [UInt64] = [0, 1, 9, 10, 15, 16, 0xABCD_EF01_2345_6789, 0x8000_0000_0000_0000, .max, .max - 1]
        var generator = SeededRandom(seed: 3)
        for _ in 0..<500 { values.append(generator.next()) }
        for value in values {
            var digits = RequestID.hexDigits(value)
            let text = withUnsafeBytes(of: &digits) { String(decoding: $0, as: UTF8.self) }
            let expected = String(repeating: "0", count: 16 - String(value, radix: 16).count) + String(value, radix: 16)
            #expect(text == expected)
        }
    }

    @Test func headerTextRejectsCRLFAndNULAtEveryPosition() {
        for length in 0..<40 {
            let clean = [UInt8](repeating: UInt8(ascii: "a"), count: length)
            #expect(clean.withUnsafeBufferPointer { HeaderText.isSafe($0) })
            for position in 0..<length {
                for forbidden: UInt8 in [0x0D, 0x0A, 0x00] {
                    var bytes = clean
                    bytes[position] = forbidden
                    #expect(!bytes.withUnsafeBufferPointer { HeaderText.isSafe($0) }, "\(forbidden) at \(position) of \(length)")
                }
                // Other control bytes (a tab, 0x0B, 0x0C, 0x0E) and high bytes are allowed.
                for allowed: UInt8 in [0x09, 0x0B, 0x0C, 0x0E, 0x7F, 0x80, 0xFF] {
                    var bytes = clean
                    bytes[position] = allowed
                    #expect(bytes.withUnsafeBufferPointer { HeaderText.isSafe($0) }, "\(allowed) at \(position) of \(length)")
                }
            }
        }
        var generator = SeededRandom(seed: 7)
        for _ in 0..<2000 {
            let bytes = (0..<Int(generator.next() % 24)).map { _ in UInt8(truncatingIfNeeded: generator.next() % 20) }
            let expected = !bytes.contains { $0 == 0x0D || $0 == 0x0A || $0 == 0 }
            #expect(bytes.withUnsafeBufferPointer { HeaderText.isSafe($0) } == expected, "\(bytes)")
        }
    }

    @Test func handlerHeadersAreFilteredAsBeforeInAnyCaseSpelling() {
        let response = HTTPResponse(
            status: 200,
            headers: [
                "content-LENGTH": "5", "TRANSFER-encoding": "chunked", "connection": "close", "X-Request-ID": "mine",
                "X-Nul": "a\u{0}b", "X-Lf\n": "v", "": "empty name", "X-Tab": "a\tb", "X-Cr": "\r",
            ],
            body: Array("hi".utf8))
        let text = String(
            decoding: HTTPResponseEncoder.encode(response, keepAlive: true, date: "D", requestID: RequestID(text: "abc")), as: UTF8.self)
        #expect(text == "HTTP/1.1 200 OK\r\nDate: D\r\nX-Tab: a\tb\r\nX-Request-Id: abc\r\nContent-Length: 2\r\n\r\nhi")
        // Without an id of the server's, the handler's own stays.
        let own = String(decoding: HTTPResponseEncoder.encode(response, keepAlive: true), as: UTF8.self)
        #expect(own == "HTTP/1.1 200 OK\r\nX-Request-ID: mine\r\nX-Tab: a\tb\r\nContent-Length: 2\r\n\r\nhi")
    }

    /// Random responses, encoded by the encoder and by the rules it replaced (the header set
    /// with `HTTPHeaders.set`, each field checked with `Sequence.contains`, decimals through
    /// `String`): the same bytes.
    @Test func randomResponsesEncodeAsTheReferenceDoes() {
        var generator = SeededRandom(seed: 42)
        let names = [
            "Content-Type", "content-length", "Content-Length", "TRANSFER-ENCODING", "Connection", "connectioN", "X-Request-Id",
            "x-request-id", "Vary", "Retry-After", "X-Bad\r", "", "X-\u{E9}", "Set-Cookie", "Content-Lengths",
        ]
        let values = [
            "application/json", "1", "", "a\r\nInjected: 1", "nul\u{0}", "tab\tok", "caf\u{E9}", String(repeating: "v", count: 70),
        ]
        let statuses: [HTTPStatus] = [100, 101, 200, 204, 304, 404, 413, 499, 503, 599, 299]
        for _ in 0..<3000 {
            var headers = HTTPHeaders()
            for _ in 0..<Int(generator.next() % 5) {
                headers.add(
                    name: names[Int(generator.next() % UInt64(names.count))], value: values[Int(generator.next() % UInt64(values.count))])
            }
            var response = HTTPResponse(
                status: statuses[Int(generator.next() % UInt64(statuses.count))], headers: headers,
                body: [UInt8](repeating: 0x62, count: Int(generator.next() % 3) * Int(generator.next() % 2000)))
            if generator.next() % 6 == 0 { response.stream = HTTPBodyStream { _ in } }
            let keepAlive = generator.next() % 2 == 0
            let version: HTTPVersion = generator.next() % 3 == 0 ? .http1_0 : .http1_1
            let headOnly = generator.next() % 4 == 0
            let date = generator.next() % 2 == 0 ? "Sun, 06 Nov 1994 08:49:37 GMT" : nil
            let requestID: RequestID? =
                switch generator.next() % 5 {
                case 0: nil
                case 1: RequestID.next()
                case 2: RequestID(text: "bad\r\nid")
                default: RequestID(text: "0123456789abcdef0123456789abcdef")
                }
            var prefix: [UInt8] = [0xAA, 0xBB]
            HTTPResponseEncoder.encode(
                response, keepAlive: keepAlive, requestVersion: version, headOnly: headOnly, date: date, requestID: requestID,
                into: &prefix)
            let expected =
                [0xAA, 0xBB]
                + Self.reference(
                    response, keepAlive: keepAlive, requestVersion: version, headOnly: headOnly, date: date,
                    requestID: requestID?.text)
            #expect(prefix == expected, "\(String(decoding: expected, as: UTF8.self))")
        }
    }

    /// The encoder as it was written before its fast paths.
    private static func reference(
        _ response: HTTPResponse, keepAlive: Bool, requestVersion: HTTPVersion, headOnly: Bool, date: String?, requestID: String?
    ) -> [UInt8] {
        var response = response
        if let requestID { response.headers.set(name: RequestID.headerName, value: requestID) }
        let sendsBody = !headOnly && response.status != .noContent && response.status != .notModified && response.stream == nil
        var bytes = Array("HTTP/1.1 \(response.status.code) \(response.status.reasonPhrase)\r\n".utf8)
        if let date { bytes += Array("Date: \(date)\r\n".utf8) }
        let framing = ["Content-Length", "Transfer-Encoding", "Connection"]
        let bad: (UInt8) -> Bool = { $0 == 0x0D || $0 == 0x0A || $0 == 0 }
        for field in response.headers {
            if framing.contains(where: { HTTPHeaders.namesMatch($0, field.name) }) { continue }
            if field.name.utf8.isEmpty || field.name.utf8.contains(where: bad) || field.value.utf8.contains(where: bad) { continue }
            bytes += Array("\(field.name): \(field.value)\r\n".utf8)
        }
        if response.stream != nil {
            if requestVersion == .http1_1 { bytes += Array("Transfer-Encoding: chunked\r\n".utf8) }
        } else if response.status.code >= 200 && response.status != .noContent {
            bytes += Array("Content-Length: \(response.body.count)\r\n".utf8)
        }
        if !keepAlive {
            bytes += Array("Connection: close\r\n".utf8)
        } else if requestVersion == .http1_0 {
            bytes += Array("Connection: keep-alive\r\n".utf8)
        }
        bytes += Array("\r\n".utf8)
        if sendsBody { bytes += response.body }
        return bytes
    }
}
