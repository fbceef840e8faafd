import CCurl
import Foundation
import TestSupport
import Testing

/// The libcurl wrapper on its own; the live tests against gradcheck-server use the same client.
@Suite struct CurlClientTests {
    @Test func libcurlIsLinkedAndReportsItsVersion() throws {
        let version = String(cString: try #require(curl_version()))
        #expect(version.hasPrefix("libcurl/"))
    }

    @Test func typedWrappersSetOptionsOnARealHandle() throws {
        let handle = try #require(curl_easy_init())
        defer { curl_easy_cleanup(handle) }
        #expect(gc_setopt_long(handle, CURLOPT_VERBOSE, 0) == CURLE_OK)
        #expect(gc_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, 1 << 21) == CURLE_OK)
        #expect(gc_setopt_string(handle, CURLOPT_URL, "http://127.0.0.1:1/healthz") == CURLE_OK)
        #expect(gc_setopt_pointer(handle, CURLOPT_CUSTOMREQUEST, nil) == CURLE_OK)
        let list = curl_slist_append(nil, "Expect:")
        defer { curl_slist_free_all(list) }
        #expect(gc_setopt_slist(handle, CURLOPT_HTTPHEADER, list) == CURLE_OK)
        #expect(gc_setopt_writefunction(handle, { _, size, count, _ in size * count }) == CURLE_OK)
        #expect(gc_setopt_readfunction(handle, { _, _, _, _ in 0 }) == CURLE_OK)
        #expect(gc_setopt_headerfunction(handle, { _, size, count, _ in size * count }) == CURLE_OK)
        // An out-of-range option value is refused by libcurl, not silently accepted.
        #expect(gc_setopt_long(handle, CURLOPT_HTTP_VERSION, 999) != CURLE_OK)
        var code = -1
        #expect(gc_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK)
        #expect(code == 0)  // nothing performed yet
    }

    @Test func clientReportsTransferErrorsAsCurlErrors() throws {
        let client = try CurlClient()
        client.timeoutMilliseconds = 2_000
        // Port 0 is never a listening port: the transfer fails fast, without any traffic.
        #expect(throws: CurlError.self) { try client.get("http://127.0.0.1:0/healthz") }
        #expect(throws: CurlError.self) { try client.post("http://127.0.0.1:0/forward", json: "{}") }
        #expect(throws: CurlError.self) { try client.get("notascheme://x") }
        try client.set(CURLOPT_EXPECT_100_TIMEOUT_MS, 1_000)
        try client.set(CURLOPT_USERAGENT, "gradcheck-tests")
    }

    @Test func clientReadsARealTransferThroughItsWriteCallback() throws {
        // file:// runs the whole perform/write-callback path with no network and no server.
        let fixture = Fixtures.examples.appendingPathComponent("notebook.json")
        let expected = Array(try Data(contentsOf: fixture))
        let client = try CurlClient()
        for _ in 0..<2 {  // twice: the handle is reused and the buffers reset between transfers
            let response = try client.get("file://" + fixture.path)
            #expect(response.body == expected)
            #expect(response.seconds >= 0)
        }
    }
}
