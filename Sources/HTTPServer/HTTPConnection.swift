import Dispatch

/// One client connection: reads into a buffer, parses, hands requests to the router, writes
/// responses back in order (pipelined requests wait until the previous response is written).
///
/// `@unchecked Sendable` because every property is touched only on its event loop's serial queue;
/// worker closures capture the connection but only to hop back onto that queue.
final class HTTPConnection: @unchecked Sendable {
    enum Phase {
        case idle, readingHead, readingBody, handling, writingResponse, lingering, closed
        /// The head of a streamed response is sent; its producer is still writing chunks.
        case streaming
    }

    let fd: Int32
    /// This connection's key in the server's table and in its poll's events.
    let token: UInt64
    /// The client's `address:port`, read once: the access log names it on every line.
    let remote: String
    /// The loop that owns it: its queue, poll, read buffer; it lives and dies there.
    private let loop: EventLoop
    private let server: HTTPServer
    private let configuration: HTTPServerConfiguration
    /// What its loop's `EventPoll` watches for on `fd`.
    private var wantsRead = true
    private var wantsWrite = false

    private var buffer: [UInt8] = []
    private var parser: HTTPRequestParser
    private var output: [UInt8] = []
    private var outputOffset = 0

    /// Read-buffer capacity kept between requests; a larger buffer is released once drained.
    static let retainedBufferBytes = 256 * 1024
    /// Output-buffer capacity kept between answers; a larger one is released once written.
    static let retainedOutputBytes = 16 * 1024

    private(set) var phase = Phase.idle
    /// When the current phase has run out of time; the server's sweep closes the connection.
    private(set) var deadline: DispatchTime
    /// When the connection's last answer was queued (it is idle once that is written), in the
    /// server's idle order: at the connection cap the server closes the longest-idle connection
    /// to admit a new client. Taken before the answer's last bytes are sent, so a client that has
    /// read its answer is already ordered before any later one, on every loop.
    private(set) var idleOrder: UInt64
    /// The request being read, handled or answered (see `InFlightRequest`); nil between requests.
    private var inFlight: InFlightRequest?
    /// Bytes this connection has reserved in the server's `MemoryBudget`.
    private var reservedBytes = 0
    /// A read buffer up to this size is not reserved: every connection has one, and the
    /// connection cap bounds them together (1024 x 64 KiB = 64 MiB).
    static let unreservedBufferBytes = 64 * 1024
    private var requestsServed = 0
    /// The client closed its side (or sent pipelined bytes there was no room for): the
    /// connection ends after the answer in progress.
    private var peerClosed = false
    /// The producer of the streamed response in progress, whether its chunks are framed
    /// (HTTP/1.1) and how many of its bytes are queued in `output` but not yet written.
    private var streamWriter: HTTPStreamWriter?
    private var streamChunked = true
    private var streamUnwritten = 0
    /// A streamed answer is logged when its body ends (or its connection closes), with the bytes
    /// its producer wrote: `streamLog` waits for that, `streamedBytes` counts them.
    private var streamLog: HTTPAccessLogEntry?
    private var streamedBytes = 0

    init(fd: Int32, token: UInt64, loop: EventLoop) {
        self.fd = fd
        self.token = token
        self.loop = loop
        server = loop.server
        idleOrder = loop.server.nextIdleOrder()
        remote = Socket.peerAddress(fd)
        configuration = server.configuration
        parser = HTTPRequestParser(limits: configuration)
        // A fresh connection is idle until its first byte: the idle timeout applies, as between
        // requests; the header timeout starts with the first byte (see `processBuffer`).
        deadline = .now() + configuration.keepAliveTimeout.dispatchInterval
    }

    func start() {
        if loop.poll.add(fd, token: token, readable: true, writable: false) != true { close() }
    }

    /// Readiness reported by its loop's poll.
    func handle(_ ready: EventPoll.Ready) {
        // Error and hang-up are reported even with no interest left: the read or the write
        // reports the cause; with neither wanted there is nothing left to save.
        if ready.failed && !wantsRead && !wantsWrite {
            close()
            return
        }
        if wantsRead && (ready.readable || ready.failed) { readable() }
        if phase != .closed && wantsWrite && (ready.writable || ready.failed) { flush() }
    }

    // MARK: reading

    private func readable() {
        guard phase != .closed else { return }
        let scratch = loop.readScratch
        switch Socket.read(fd, into: scratch) {
        case .wouldBlock:
            return
        case .failed:
            clientLeft()
        case .endOfStream:
            switch phase {
            case .handling, .streaming:
                // The client closed while its request waits or runs: like nginx, take it as the
                // client giving up (curl -m, a script's timeout), so the work stops instead of
                // burning a worker for an answer nobody reads.
                clientLeft()
            case .writingResponse:
                // The answer is already on its way: finish writing it, then the connection ends.
                peerClosed = true
                suspendRead()
            default:
                close()
            }
        case .transferred(let count):
            switch phase {
            case .lingering:
                return
            case .handling, .writingResponse, .streaming:
                // Pipelined bytes wait for the response in progress. Reading stops only now, when
                // the client actually sent more: changing the poll's interest around every request
                // costs a system call each time.
                if grow(by: count) {
                    buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[..<count]))
                } else {
                    // No room for more pipelined bytes: they are dropped, so the connection must
                    // end after the answer in progress (the client sees Connection: close).
                    peerClosed = true
                }
                suspendRead()
            default:
                guard grow(by: count) else {
                    refuseForMemory(bodyLength: nil)
                    return
                }
                buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[..<count]))
                processBuffer()
            }
        }
    }

    private func processBuffer() {
        while phase == .idle || phase == .readingHead || phase == .readingBody {
            guard !buffer.isEmpty else { return }
            // The header timeout runs from the request's first byte; it is set only if the head
            // is still incomplete after these bytes: a whole request's answer sets its own.
            var headTimeoutFrom: DispatchTime?
            if phase == .idle {
                phase = .readingHead
                let request = InFlightRequest()
                inFlight = request
                headTimeoutFrom = request.start
            }
            do {
                switch try parser.parse(buffer) {
                case .incomplete(let head):
                    if let headTimeoutFrom {
                        deadline = headTimeoutFrom + configuration.headerTimeout.dispatchInterval
                    }
                    if let head, phase == .readingHead {
                        phase = .readingBody
                        deadline = .now() + configuration.bodyTimeout.dispatchInterval
                        // The size is known (and already checked against maxBodyBytes): one
                        // allocation instead of doubling, which copies and can overshoot by 2x,
                        // reserved in the memory budget before a byte of the body is read.
                        if case .contentLength(let length) = head.framing {
                            inFlight?.head = head
                            guard reserveBuffer(capacity: buffer.count + length) else {
                                refuseForMemory(bodyLength: length)
                                return
                            }
                            buffer.reserveCapacity(buffer.count + length)
                        }
                        // RFC 9110 §10.1.1: the client waits for this before sending the body.
                        if head.expectsContinue {
                            output.append(contentsOf: HTTPResponseEncoder.continueResponse)
                            flush()
                        }
                    }
                    return
                case .request(let parsed, let consumed):
                    if consumed == buffer.count && buffer.capacity > Self.retainedBufferBytes {
                        buffer = []  // an idle keep-alive connection must not keep a big body's memory
                    } else if consumed == buffer.count {
                        buffer.removeAll(keepingCapacity: true)  // the usual case: nothing to move
                    } else {
                        buffer.removeFirst(consumed)
                    }
                    inFlight?.head = parsed.head
                    inFlight?.bodyBytes = parsed.body.count
                    syncReservation()
                    dispatch(parsed)
                }
            } catch {
                inFlight?.head = nil  // what was read of it cannot be trusted
                send(error.response, then: error.closesConnection ? .close : .keepAliveIfAllowed)
            }
        }
    }

    // MARK: handling

    private func dispatch(_ request: HTTPRequest) {
        requestsServed += 1
        inFlight?.countedInGauge = true
        server.gauges.requestsInFlight.add(1, ordering: .relaxed)
        switch server.router.resolve(method: request.method, path: request.path) {
        case .route(let route, _) where route.execution == .inline:
            send(route.handler(request))
        case .route(let route, _):
            phase = .handling
            deadline = .distantFuture
            inFlight?.cancellation = request.cancellation
            let requestID = inFlight?.fixRequestID() ?? RequestID.generate()
            let queue = loop.queue
            let accepted = server.pool.submit { [self] in
                // A request whose client left while it queued is not started at all.
                if request.cancellation.isCancelled { return }
                let response = route.handler(request)
                guard let stream = response.stream else {
                    queue.async { [self] in handlerFinished(response) }
                    return
                }
                // The head goes out first (the queue is serial), then each chunk, then the end.
                let writer = HTTPStreamWriter(requestID: requestID) { bytes in queue.async { [self] in streamChunk(bytes) } }
                queue.async { [self] in handlerFinished(response, writer: writer) }
                stream.produce(writer)
                queue.async { [self] in streamEnded(writer) }
            }
            if !accepted {
                var busy = HTTPResponse.problem(
                    status: .serviceUnavailable, detail: "all workers are busy; retry later", headers: configuration.retryAfterHeaders)
                busy.rejection = .queueFull
                send(busy)
            }
        case .refused(let refusal):
            send(server.router.answer(refusal, to: request))
        }
    }

    private func handlerFinished(_ response: HTTPResponse, writer: HTTPStreamWriter? = nil) {
        guard phase == .handling else {
            writer?.connectionClosed()
            return
        }
        inFlight?.bodyBytes = 0
        syncReservation()
        // With a stream, the cancellation stays: a client that leaves mid-stream stops the producer.
        streamWriter = writer
        send(response)
    }

    /// One chunk of the streamed response (on the I/O queue, in the order the producer wrote).
    private func streamChunk(_ bytes: [UInt8]) {
        guard phase == .streaming, let writer = streamWriter else { return }
        streamedBytes += bytes.count
        if inFlight?.headOnly == true {
            writer.drained(bytes.count)
            return
        }
        output.append(contentsOf: streamChunked ? HTTPStreamWriter.frame(bytes) : bytes)
        streamUnwritten += bytes.count
        deadline = .now() + configuration.writeTimeout.dispatchInterval
        flush()
    }

    /// The producer returned: the last chunk ends the body, and the connection carries on.
    private func streamEnded(_ writer: HTTPStreamWriter) {
        guard phase == .streaming, streamWriter === writer else { return }
        if streamChunked && inFlight?.headOnly != true { output.append(contentsOf: HTTPStreamWriter.lastChunk) }
        streamWriter = nil
        logStreamedAnswer()
        phase = .writingResponse
        idleOrder = server.nextIdleOrder()
        deadline = .now() + configuration.writeTimeout.dispatchInterval
        flush()
    }

    /// The client disconnected. A request it left waiting or running is cancelled (its handler
    /// stops at its next poll) and logged as 499, nginx's "client closed request".
    private func clientLeft() {
        if phase == .streaming, let inFlight {
            // Its status is already logged (and sent): only the work stops.
            inFlight.cancellation?.cancel()
        } else if phase == .handling, let inFlight {
            inFlight.cancellation?.cancel()
            server.logAccess(
                inFlight.accessLogEntry(status: .clientClosedRequest, bodyBytes: 0, requestID: inFlight.requestID, remote: remote))
        }
        close()
    }

    /// The drain deadline passed with this connection still open: a request whose answer was
    /// not begun is cancelled and logged as the 503 it would have been (rejection "drain"), so
    /// no request leaves the log without a line; then the connection closes.
    func cutByDrain() {
        if phase == .handling, let inFlight {
            inFlight.cancellation?.cancel()
            server.logAccess(
                inFlight.accessLogEntry(
                    status: .serviceUnavailable, bodyBytes: 0, requestID: inFlight.requestID, remote: remote, rejection: .drain))
        }
        close()
    }

    // MARK: memory

    /// Reserves what `count` more bytes in the read buffer need, growing the buffer in one step
    /// (doubling, as the array would). False when the budget cannot hold them.
    private func grow(by count: Int) -> Bool {
        let needed = buffer.count + count
        guard needed > buffer.capacity else { return true }
        let capacity = max(needed, 2 * buffer.capacity)
        guard reserveBuffer(capacity: capacity) else { return false }
        buffer.reserveCapacity(capacity)
        return true
    }

    /// Reserves a read buffer of `capacity` bytes; false (nothing reserved) when it does not fit.
    private func reserveBuffer(capacity: Int) -> Bool {
        let wanted = max(0, capacity - Self.unreservedBufferBytes) + heldBodyBytes
        guard wanted > reservedBytes else { return true }
        guard server.memory.reserve(wanted - reservedBytes) else { return false }
        reservedBytes = wanted
        return true
    }

    /// The budget cannot hold the request being read: 503 with `Retry-After` (or 413 when its
    /// body alone is larger than the whole budget, so retrying cannot help), and the connection
    /// closes. The body is not read, so nothing is half-processed.
    private func refuseForMemory(bodyLength: Int?) {
        var response: HTTPResponse
        if let bodyLength, bodyLength > server.memory.limit {
            response = .problem(
                status: .contentTooLarge,
                detail: "body of \(bodyLength) bytes is larger than this server's whole memory budget of \(server.memory.limit) bytes")
            response.rejection = .bodyTooLarge
        } else {
            response = .problem(
                status: .serviceUnavailable, detail: "the server's memory budget is full (\(server.memory.limit) bytes); retry later",
                headers: configuration.retryAfterHeaders)
            response.rejection = .memory
        }
        send(response, then: .close)
    }

    /// The in-flight request's body, which its handler holds until it answers.
    private var heldBodyBytes: Int { inFlight?.bodyBytes ?? 0 }

    /// Brings the reservation in line with what the connection holds now (after a request left
    /// the buffer, or its handler answered). Bytes already allocated are recorded even past the
    /// limit: the account must stay true, and the next growth is what gets refused.
    private func syncReservation() {
        let wanted = max(0, buffer.capacity - Self.unreservedBufferBytes) + heldBodyBytes
        if wanted > reservedBytes {
            server.memory.reserve(wanted - reservedBytes, evenPastTheLimit: true)
        } else if wanted < reservedBytes {
            server.memory.release(reservedBytes - wanted)
        }
        reservedBytes = wanted
    }

    // MARK: writing

    /// Queues `answer` to the request in flight (or to none, for a refusal before any byte of
    /// one was parsed) and logs it. The answer and the request in flight are moved, not copied:
    /// each copy retains and releases every string and array they hold.
    private func send(_ answer: consuming HTTPResponse, then after: AfterResponse = .keepAliveIfAllowed) {
        var request = inFlight.take() ?? InFlightRequest()
        request.leaveGauge(server.gauges)
        var response = answer
        // Written by the encoder in place of any the handler set: no copy of the headers to edit.
        let requestID = request.requestID
        if var problem = response.problem {
            problem.requestID = requestID.text
            response.body = problem.bytes
        }
        if response.rejection == nil && response.status == .contentTooLarge { response.rejection = .bodyTooLarge }
        let (version, clientKeepsAlive, headOnly) = request.answerFraming
        // An HTTP/1.0 client has no chunked coding: its streamed body ends with the connection.
        let closeDelimited = response.stream != nil && version != .http1_1
        let keepAlive =
            after == .keepAliveIfAllowed && !closeDelimited && clientKeepsAlive && !peerClosed && !serverIsDraining
            && requestsServed < configuration.maxRequestsPerConnection
        request.closesAfterResponse = !keepAlive
        let now = DispatchTime.now()
        HTTPResponseEncoder.encode(
            response, keepAlive: keepAlive, requestVersion: version, headOnly: headOnly, date: loop.date(at: now),
            requestID: requestID, into: &output)
        let entry = request.accessLogEntry(
            status: response.status, bodyBytes: response.body.count, requestID: requestID, remote: remote,
            rejection: response.rejection, now: now)
        inFlight = consume request
        let streams = response.stream != nil && streamWriter != nil
        if streams {
            streamLog = entry
            streamedBytes = 0
            phase = .streaming
            streamChunked = !closeDelimited
            streamUnwritten = 0
        } else {
            server.logAccess(entry)
            phase = .writingResponse
            idleOrder = server.nextIdleOrder()
        }
        deadline = now + loop.timeouts.write
        flush()
    }

    /// Writes until the kernel refuses (then asks the poll to report the socket writable) or
    /// everything is sent.
    private func flush() {
        guard phase != .closed else { return }
        while outputOffset < output.count {
            switch Socket.send(fd, output, from: outputOffset) {
            case .transferred(let count):
                outputOffset += count
            case .wouldBlock:
                resumeWrite()
                return
            case .failed, .endOfStream:
                close()  // client went away mid-response: drop it, the server carries on.
                return
            }
        }
        // A small output buffer is kept for the next answer (one allocation less per request);
        // a big one is released, like the read buffer.
        output.removeAll(keepingCapacity: output.capacity <= Self.retainedOutputBytes)
        outputOffset = 0
        suspendWrite()
        if phase == .streaming, streamUnwritten > 0 {
            streamWriter?.drained(streamUnwritten)
            streamUnwritten = 0
        }
        if phase == .writingResponse { responseWritten() }
    }

    private func responseWritten() {
        let closes = inFlight?.closesAfterResponse ?? true
        inFlight = nil
        syncReservation()
        if closes {
            beginLinger()
        } else if serverIsDraining {
            close()
        } else {
            phase = .idle
            deadline = .now() + loop.timeouts.keepAlive
            resumeRead()
            processBuffer()  // the next pipelined request may already be here
        }
    }

    /// Closing with unread request bytes would reset the connection and could destroy the response
    /// in flight, so half-close and discard input for a short while first.
    private func beginLinger() {
        phase = .lingering
        parser.reset()
        buffer = []
        syncReservation()
        Socket.shutdownWrite(fd)
        deadline = .now() + configuration.lingerTimeout.dispatchInterval
        if peerClosed { close() } else { resumeRead() }
    }

    // MARK: lifecycle

    /// Called by its loop's sweep.
    func closeIfExpired(now: DispatchTime) {
        if phase != .closed && deadline < now { close() }
    }

    /// Idle between requests (none read, none in progress): may be closed to admit a new client.
    var isIdle: Bool { phase == .idle && buffer.isEmpty }

    /// Graceful stop: idle connections close now; in-flight requests finish (their response
    /// carries `Connection: close`).
    func serverIsStopping() {
        if phase == .idle || phase == .readingHead { close() }
    }

    private func logStreamedAnswer() {
        guard let entry = streamLog else { return }
        streamLog = nil
        server.logAccess(entry.with(bodyBytes: streamedBytes))
    }

    /// The server's stop has begun. Its draining flag is raised before any loop hears of the
    /// stop, and an answer that says "draining" (`/readyz`) must also close: read both.
    private var serverIsDraining: Bool { server.gauges.isDraining || loop.isStopping }

    private func leaveInFlight() {
        inFlight?.leaveGauge(server.gauges)
    }

    func close() {
        guard phase != .closed else { return }
        phase = .closed
        leaveInFlight()
        loop.poll.remove(fd)
        loop.connectionClosed(self)
        Socket.close(fd)  // after leaving the server's table: the number may be reused at once
        buffer = []
        output = []
        streamWriter?.connectionClosed()
        streamWriter = nil
        logStreamedAnswer()  // cut short: the bytes written until the client left or the drain ended
        inFlight = nil
        server.memory.release(reservedBytes)
        reservedBytes = 0
    }

    private func suspendRead() { setInterest(read: false, write: wantsWrite) }
    private func resumeRead() { setInterest(read: true, write: wantsWrite) }
    private func suspendWrite() { setInterest(read: wantsRead, write: false) }
    private func resumeWrite() { setInterest(read: wantsRead, write: true) }

    private func setInterest(read: Bool, write: Bool) {
        guard phase != .closed, read != wantsRead || write != wantsWrite else { return }
        wantsRead = read
        wantsWrite = write
        loop.poll.modify(fd, token: token, readable: read, writable: write)
    }
}
