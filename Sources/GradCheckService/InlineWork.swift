/// Which `/forward` and `/backward` requests run on the event loop that read them instead of on
/// the worker pool. A small request's hand-off (a pool thread woken, then the loop's queue woken
/// to write the answer, the body freed on another thread than the one that allocated it) costs
/// about as much as its whole work: answered where it was read, the notebook's `/forward` takes
/// one thread instead of three. Anything bigger goes to the pool, so a loop (and every connection
/// on it) is never held up by one large pass.
enum InlineWork {
    /// Bodies up to this size are read on the loop to price them: reading JSON takes about 50
    /// instructions a byte, so 8 KiB is some 0.1 ms. A larger body goes to the pool unread. (A
    /// small body priced over `maxOperations` is read again by its worker: at most this much
    /// twice, for a pass that costs more.)
    static let maxBodyBytes = 8 * 1024
    /// A pass priced at most this many operations runs on the loop: 0.1 ms at the cost model's
    /// `WorkEstimate.operationsPerSecondPerCore`, no longer than reading its body. The notebook's
    /// pass is about 600; a 100-50-20-1 network over 64 examples (the 251 KB body) is 7e5.
    static let maxOperations = 2.5e5
}
