/*
 * Buffer pool memory: one page-aligned mmap'd region cut into fixed-size slots.
 *
 * Only the memory lives here; the free list, slot accounting and exhaustion policy live in
 * src/io/pool.ts, which views the whole region once. A slot's stride is its size rounded up to
 * a cache line, so two slots never share a line and every slot starts 64-byte aligned.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <unistd.h>

#include "zt.h"
#include "zt_pool.h"

#define ZT_POOL_SMALL_PAGE ((size_t)4096)
#define ZT_POOL_HUGE_PAGE ((size_t)2 * 1024 * 1024)

static size_t align_up(size_t value, size_t alignment) {
  return (value + alignment - 1) & ~(alignment - 1);
}

/* MAP_HUGETLB fails (ENOMEM) when no huge pages are reserved; the caller asked for huge pages
 * as an optimisation, so fall back to small pages and say why instead of failing. */
static void *map_region(size_t *length, uint32_t flags, zt_pool_region *out) {
  if (flags & ZT_POOL_HUGE_PAGES) {
    size_t huge_length = align_up(*length, ZT_POOL_HUGE_PAGE);
    void *base = mmap(NULL, huge_length, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE, -1, 0);
    if (base != MAP_FAILED) {
      *length = huge_length;
      out->page_size = ZT_POOL_HUGE_PAGE;
      return base;
    }
    out->huge_page_errno = errno;
  }
  *length = align_up(*length, ZT_POOL_SMALL_PAGE);
  out->page_size = ZT_POOL_SMALL_PAGE;
  return mmap(NULL, *length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
}

/* Returns 0 and fills `out`, or -errno; `out->failed_call` names the call that failed. */
ZT_EXPORT int zt_pool_create(uint32_t slot_size, uint32_t slot_count, uint32_t flags, zt_pool_region *out) {
  *out = (zt_pool_region){0};
  if (slot_size == 0 || slot_count == 0 || slot_size > ZT_POOL_MAX_SLOT_SIZE) return ZT_ERR(EINVAL);
  size_t stride = align_up(slot_size, ZT_POOL_SLOT_ALIGNMENT);
  if ((size_t)slot_count > SIZE_MAX / stride) return ZT_ERR(EINVAL);
  size_t length = stride * slot_count;
  void *base = map_region(&length, flags, out);
  if (base == MAP_FAILED) {
    out->failed_call = ZT_POOL_CALL_MMAP;
    return ZT_ERR(errno);
  }
  if ((flags & ZT_POOL_LOCKED) && mlock(base, length) != 0) {
    int error = errno;
    munmap(base, length);
    out->failed_call = ZT_POOL_CALL_MLOCK;
    return ZT_ERR(error);
  }
  out->base = base;
  out->length = length;
  out->slot_stride = (uint32_t)stride;
  return 0;
}

ZT_EXPORT int zt_pool_destroy(void *base, uint64_t length) {
  return munmap(base, length) == 0 ? 0 : ZT_ERR(errno);
}
