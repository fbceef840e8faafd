/// The fields message semantics depend on, found in one pass over the header section: no array
/// of values per name, and no second look at a name that is absent (most are, on most requests).
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

    init(_ fields: HTTPHeaders) {
        for field in fields {
            // The length first: one comparison of bytes at most per field.
            switch field.name.utf8.count {
            case 4 where HTTPHeaders.namesMatch(field.name, "Host"):
                hosts += 1
                if host == nil { host = field.value }
            case 14 where HTTPHeaders.namesMatch(field.name, "Content-Length"):
                lengths += 1
                if length == nil { length = field.value }
            case 17 where HTTPHeaders.namesMatch(field.name, "Transfer-Encoding"): transferEncoding = true
            case 16 where HTTPHeaders.namesMatch(field.name, "Content-Encoding"): contentEncoding = true
            case 10 where HTTPHeaders.namesMatch(field.name, "Connection"): connection = true
            case 6 where HTTPHeaders.namesMatch(field.name, "Expect"): expect = true
            default: break
            }
        }
    }
}
