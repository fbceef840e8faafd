#ifndef GRADCHECK_CCURL_SHIM_H
#define GRADCHECK_CCURL_SHIM_H
#include <curl/curl.h>
#endif
