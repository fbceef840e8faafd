/// A blocking TCP connection to this machine's 127.0.0.1, for the server's local clients: the
/// container's health probe (`gradcheck-server --healthcheck`) and the tests' raw client. The
/// socket calls stay in `Socket`, the one file that talks to the kernel for the server.
public enum LoopbackSocket {
    /// The connected descriptor (the caller closes it); reads and writes on it time out after
    /// `timeoutSeconds`. Throws a description of the step that failed and its errno.
    public static func connect(port: Int, timeoutSeconds: Int) throws(LoopbackSocketError) -> Int32 {
        do throws(Socket.Failure) {
            return try Socket.connectToLoopback(port: port, timeoutSeconds: timeoutSeconds)
        } catch {
            throw LoopbackSocketError(description: error.description)
        }
    }
}

public struct LoopbackSocketError: Error, CustomStringConvertible {
    public let description: String
}
