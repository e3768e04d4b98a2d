/* Shared-memory ring file mapping: see zt_shm_ring.c; src/io/shm-ring.ts mirrors these constants. */
#ifndef ZT_SHM_RING_H
#define ZT_SHM_RING_H

#include <stdint.h>

/* zt_shm_ring_map flags */
#define ZT_SHM_RING_CREATE 1u /* replace any file at the path with a new, zero-filled one of create_length bytes */

/* zt_shm_ring_mapping.failed_call */
#define ZT_SHM_RING_CALL_OPEN 1
#define ZT_SHM_RING_CALL_FSTAT 2
#define ZT_SHM_RING_CALL_FTRUNCATE 3
#define ZT_SHM_RING_CALL_MMAP 4
#define ZT_SHM_RING_CALL_UNLINK 5

typedef struct zt_shm_ring_mapping {
  void *address; /* NULL when the file is empty: there is nothing to map, and nothing to validate */
  uint64_t length;
  int32_t failed_call;
  int32_t reserved;
} zt_shm_ring_mapping;

#endif
