/// The fields message semantics depend on, noted as the header section is read: no array of
/// values per name, and no second look for a name that is absent (most are, on most requests).
struct SemanticFields {
    /// How many Host fields, and the first one's value.
    private(set) var hosts = 0
    private(set) var host: String?
    /// How many Content-Length fields, and the first one's value.
    private(set) var lengths = 0
    private(set) var length: String?
    /// Whether any field of these names is there: their lists are read only then.
    private(set) var transferEncoding = false
    private(set) var contentEncoding = false
    private(set) var connection = false
    private(set) var expect = false

    /// One field, by its name's bytes (a token: ASCII) and its value.
    mutating func note(_ name: UnsafeBufferPointer<UInt8>, value: String) {
        // The length first: one comparison of bytes at most per field.
        switch name.count {
        case 4 where HTTPBytes.equalIgnoringCase(name, "host"):
            hosts += 1
            if host == nil { host = value }
        case 14 where HTTPBytes.equalIgnoringCase(name, "content-length"):
            lengths += 1
            if length == nil { length = value }
        case 17 where HTTPBytes.equalIgnoringCase(name, "transfer-encoding"): transferEncoding = true
        case 16 where HTTPBytes.equalIgnoringCase(name, "content-encoding"): contentEncoding = true
        case 10 where HTTPBytes.equalIgnoringCase(name, "connection"): connection = true
        case 6 where HTTPBytes.equalIgnoringCase(name, "expect"): expect = true
        default: break
        }
    }
}
