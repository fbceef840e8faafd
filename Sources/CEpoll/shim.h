#ifndef GRADCHECK_CEPOLL_SHIM_H
#define GRADCHECK_CEPOLL_SHIM_H
#include <stdint.h>
#include <sys/epoll.h>

/* Glibc's Swift module does not export <sys/epoll.h>, and struct epoll_event is packed on x86-64
 * (a union inside): these wrappers keep its layout on the C side. Interest is level-triggered. */

enum { GC_EPOLL_MAX_EVENTS = 256 };

static inline int gc_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

/* op: EPOLL_CTL_ADD / MOD / DEL; `token` comes back with every event of `fd`. */
static inline int gc_epoll_ctl(int epfd, int op, int fd, uint64_t token, int readable, int writable) {
    struct epoll_event event;
    event.events = (readable ? EPOLLIN : 0) | (writable ? EPOLLOUT : 0);
    event.data.u64 = token;
    return epoll_ctl(epfd, op, fd, &event);
}

/* Waits up to timeout_ms (0: not at all) for ready descriptors: tokens[i] got flags[i], which are
 * 1 readable, 2 writable, 4 error or hang-up. Returns the count (at most GC_EPOLL_MAX_EVENTS) or -1. */
static inline int gc_epoll_ready(int epfd, uint64_t *tokens, uint32_t *flags, int capacity, int timeout_ms) {
    struct epoll_event events[GC_EPOLL_MAX_EVENTS];
    if (capacity > GC_EPOLL_MAX_EVENTS) capacity = GC_EPOLL_MAX_EVENTS;
    int count = epoll_wait(epfd, events, capacity, timeout_ms);
    for (int i = 0; i < count; i++) {
        tokens[i] = events[i].data.u64;
        flags[i] = ((events[i].events & EPOLLIN) ? 1u : 0u) | ((events[i].events & EPOLLOUT) ? 2u : 0u)
            | ((events[i].events & (EPOLLERR | EPOLLHUP)) ? 4u : 0u);
    }
    return count;
}

static inline int gc_epoll_add(void) { return EPOLL_CTL_ADD; }
static inline int gc_epoll_mod(void) { return EPOLL_CTL_MOD; }
static inline int gc_epoll_del(void) { return EPOLL_CTL_DEL; }

#endif
