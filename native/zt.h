/*
 * zerotick native core: shared conventions.
 *
 * Every entry point returns 0 or a count on success and -errno on failure (libuv's UV__ERR
 * convention), so the TypeScript side never reads errno after the call. EINTR is retried
 * inside; EAGAIN on a non-blocking receive is "nothing yet" and returns 0.
 */
#ifndef ZT_H
#define ZT_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#define ZT_EXPORT __attribute__((visibility("default")))
#define ZT_ERR(x) (-(x))
#define ZT_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
