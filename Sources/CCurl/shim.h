#ifndef GRADCHECK_CCURL_SHIM_H
#define GRADCHECK_CCURL_SHIM_H
#include <curl/curl.h>

/* Swift cannot call C variadic functions, and curl_easy_setopt / curl_easy_getinfo are variadic:
 * these typed, non-variadic wrappers are what Swift calls instead. One per argument type. */

typedef size_t (*gc_data_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);

static inline CURLcode gc_global_init(void) { return curl_global_init(CURL_GLOBAL_ALL); }

static inline CURLcode gc_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode gc_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

/* libcurl copies string options (since 7.17), so a temporary C string is fine. */
static inline CURLcode gc_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode gc_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode gc_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode gc_setopt_writefunction(CURL *handle, gc_data_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
}

static inline CURLcode gc_setopt_headerfunction(CURL *handle, gc_data_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, callback);
}

static inline CURLcode gc_setopt_readfunction(CURL *handle, gc_data_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_READFUNCTION, callback);
}

static inline CURLcode gc_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode gc_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode gc_getinfo_double(CURL *handle, CURLINFO info, double *value) {
    return curl_easy_getinfo(handle, info, value);
}

#endif
