/* Buffer pool region: see zt_pool.c; src/io/pool.ts mirrors these constants. */
#ifndef ZT_POOL_H
#define ZT_POOL_H

#include <stdint.h>

#define ZT_POOL_SLOT_ALIGNMENT 64u
#define ZT_POOL_MAX_SLOT_SIZE (1u << 24)

/* zt_pool_create flags */
#define ZT_POOL_HUGE_PAGES 1u
#define ZT_POOL_LOCKED 2u

/* zt_pool_region.failed_call */
#define ZT_POOL_CALL_MMAP 1
#define ZT_POOL_CALL_MLOCK 2

typedef struct zt_pool_region {
  void *base;
  uint64_t length;
  uint32_t slot_stride;
  uint32_t page_size;
  int32_t huge_page_errno; /* why MAP_HUGETLB failed when huge pages were asked for; 0 otherwise */
  int32_t failed_call;
} zt_pool_region;

#endif
