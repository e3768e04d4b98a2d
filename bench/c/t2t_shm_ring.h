/*
 * The producer side of zerotick's SPSC shared-memory ring, in C: the layout is drawn in
 * src/io/shm-ring-layout.ts (Agrona OneToOneRingBuffer style) and these constants mirror it;
 * claim/commit follow ShmRing.tryClaim and claimCapacity in src/io/shm-ring.ts, so a
 * `zerotick run --feed shm://NAME` reads what this writes.
 *
 * Positions are kept here as uint64 and stored as the layout's two int32 words: the low word
 * (position mod 2^32, stored first, with release: the consumer synchronises on it) and the high
 * word floor(position / 2^31).
 */
#ifndef T2T_SHM_RING_H
#define T2T_SHM_RING_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "t2t_wire.h"

#define RING_MAGIC 0x5253545a /* "ZTSR" */
#define RING_LAYOUT_VERSION 1
#define RING_MAGIC_OFFSET 0
#define RING_LAYOUT_VERSION_OFFSET 4
#define RING_CAPACITY_OFFSET 8
#define RING_RECORD_ALIGNMENT_OFFSET 12
#define RING_MAX_MESSAGE_LENGTH_OFFSET 16
#define RING_CREATOR_PID_OFFSET 20
#define RING_CREATION_TIME_NANOS_OFFSET 24
#define RING_HEADER_LENGTH 128
#define RING_TAIL_POSITION_OFFSET 128
#define RING_HEAD_CACHE_POSITION_OFFSET 256
#define RING_HEAD_POSITION_OFFSET 384
#define RING_TRAILER_LENGTH 512
#define RING_POSITION_HIGH_WORD_OFFSET 4
#define RING_RECORD_HEADER_LENGTH 8
#define RING_RECORD_TYPE_OFFSET 4
#define RING_RECORD_ALIGNMENT 8
#define RING_PADDING_TYPE_ID (-1)
/* Any positive type: the gateway's shm source takes every record as one datagram. */
#define RING_DATAGRAM_TYPE_ID 1

struct shm_ring {
  unsigned char *base;
  size_t length;
  uint32_t capacity;
  uint64_t tail;
  uint64_t head_cache;
};

static inline int32_t *ring_word(const struct shm_ring *ring, size_t offset) { return (int32_t *)(void *)(ring->base + offset); }

static inline size_t ring_trailer(const struct shm_ring *ring) { return RING_HEADER_LENGTH + ring->capacity; }

static inline void ring_store_position(const struct shm_ring *ring, size_t position_offset, uint64_t position) {
  int32_t *low = ring_word(ring, ring_trailer(ring) + position_offset);
  __atomic_store_n(low, (int32_t)(uint32_t)position, __ATOMIC_RELEASE);
  __atomic_store_n(low + RING_POSITION_HIGH_WORD_OFFSET / 4, (int32_t)(position >> 31), __ATOMIC_RELEASE);
}

/* The consumer's head: its low word is enough for a distance (capacity <= 2^30). */
static inline uint32_t ring_load_head_low(const struct shm_ring *ring) {
  return (uint32_t)__atomic_load_n(ring_word(ring, ring_trailer(ring) + RING_HEAD_POSITION_OFFSET), __ATOMIC_ACQUIRE);
}

/* Creates (or replaces) the ring file at `path`; 0 or -errno. */
static inline int shm_ring_create(struct shm_ring *ring, const char *path, uint32_t capacity) {
  if (capacity < 128 || (capacity & (capacity - 1)) != 0 || capacity > (1u << 30)) return -EINVAL;
  const size_t length = RING_HEADER_LENGTH + capacity + RING_TRAILER_LENGTH;
  unlink(path); /* a consumer still mapping the old file keeps it; this one starts empty */
  int fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0644);
  if (fd < 0) return -errno;
  if (ftruncate(fd, (off_t)length) != 0) {
    int error = errno;
    close(fd);
    return -error;
  }
  void *base = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  int error = errno;
  close(fd);
  if (base == MAP_FAILED) return -error;
  *ring = (struct shm_ring){.base = base, .length = length, .capacity = capacity, .tail = 0, .head_cache = 0};
  *ring_word(ring, RING_LAYOUT_VERSION_OFFSET) = RING_LAYOUT_VERSION;
  *ring_word(ring, RING_CAPACITY_OFFSET) = (int32_t)capacity;
  *ring_word(ring, RING_RECORD_ALIGNMENT_OFFSET) = RING_RECORD_ALIGNMENT;
  *ring_word(ring, RING_MAX_MESSAGE_LENGTH_OFFSET) = (int32_t)(capacity / 8);
  *ring_word(ring, RING_CREATOR_PID_OFFSET) = (int32_t)getpid();
  const double created = (double)t2t_realtime_ns();
  memcpy(ring->base + RING_CREATION_TIME_NANOS_OFFSET, &created, sizeof created);
  /* The magic last, with release: a reader never accepts a half-written header. */
  __atomic_store_n(ring_word(ring, RING_MAGIC_OFFSET), RING_MAGIC, __ATOMIC_RELEASE);
  return 0;
}

/*
 * Copies `length` bytes into a new record and publishes it; 0 when the ring has no room
 * (the record is dropped, as a NIC drops a frame), 1 when written. As claimCapacity: the end of
 * the region is filled with a padding record when the record would not fit before the wrap.
 */
static inline int shm_ring_write(struct shm_ring *ring, const unsigned char *message, uint32_t length) {
  const uint32_t capacity = ring->capacity;
  const uint32_t record_length = length + RING_RECORD_HEADER_LENGTH;
  const uint32_t required = (record_length + RING_RECORD_ALIGNMENT - 1) & ~(uint32_t)(RING_RECORD_ALIGNMENT - 1);
  if (required > capacity - (uint32_t)(ring->tail - ring->head_cache)) {
    const uint32_t head_low = ring_load_head_low(ring);
    ring->head_cache += (uint32_t)(head_low - (uint32_t)ring->head_cache);
    ring_store_position(ring, RING_HEAD_CACHE_POSITION_OFFSET, ring->head_cache);
    if (required > capacity - (uint32_t)(ring->tail - ring->head_cache)) return 0;
  }
  uint32_t tail_index = (uint32_t)ring->tail & (capacity - 1);
  const uint32_t to_region_end = capacity - tail_index;
  uint32_t padding = 0;
  if (required > to_region_end) {
    if (required > ((uint32_t)ring->head_cache & (capacity - 1))) {
      ring->head_cache += (uint32_t)(ring_load_head_low(ring) - (uint32_t)ring->head_cache);
      if (required > ((uint32_t)ring->head_cache & (capacity - 1))) return 0;
    }
    padding = to_region_end;
  }
  ring->tail += required + padding;
  ring_store_position(ring, RING_TAIL_POSITION_OFFSET, ring->tail);
  if (padding != 0) {
    unsigned char *pad = ring->base + RING_HEADER_LENGTH + tail_index;
    *(int32_t *)(void *)(pad + RING_RECORD_TYPE_OFFSET) = RING_PADDING_TYPE_ID;
    __atomic_store_n((int32_t *)(void *)pad, (int32_t)padding, __ATOMIC_RELEASE); /* publish */
    tail_index = 0;
  }
  unsigned char *record = ring->base + RING_HEADER_LENGTH + tail_index;
  memcpy(record + RING_RECORD_HEADER_LENGTH, message, length);
  *(int32_t *)(void *)(record + RING_RECORD_TYPE_OFFSET) = RING_DATAGRAM_TYPE_ID;
  __atomic_store_n((int32_t *)(void *)record, (int32_t)record_length, __ATOMIC_RELEASE); /* publish */
  return 1;
}

#endif
