import Dispatch

/// The configuration's timeouts as Dispatch intervals, converted once per event loop: a
/// connection sets a deadline from one several times a request, and converting a `Duration`
/// costs its 128-bit arithmetic each time.
struct TimeoutIntervals {
    let header: DispatchTimeInterval
    let body: DispatchTimeInterval
    let keepAlive: DispatchTimeInterval
    let write: DispatchTimeInterval
    let linger: DispatchTimeInterval

    init(_ configuration: HTTPServerConfiguration) {
        header = configuration.headerTimeout.dispatchInterval
        body = configuration.bodyTimeout.dispatchInterval
        keepAlive = configuration.keepAliveTimeout.dispatchInterval
        write = configuration.writeTimeout.dispatchInterval
        linger = configuration.lingerTimeout.dispatchInterval
    }
}
