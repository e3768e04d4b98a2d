/*
 * The file behind a single-producer/single-consumer shared-memory ring (e.g. /dev/shm/zerotick-feed).
 *
 * Only the file and its mapping live here: open, create, size, mmap, munmap. The layout, the
 * header checks and every record operation live in src/io/shm-ring.ts and shm-ring-layout.ts,
 * which view the whole mapping once. Producer and consumer may be different processes: both map
 * the same file MAP_SHARED, so they share the same physical pages.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zt.h"
#include "zt_shm_ring.h"

/* A ring's length is viewed from JS through one ArrayBuffer indexed by int32 offsets. */
#define ZT_SHM_RING_MAX_LENGTH ((uint64_t)INT32_MAX)

static int fail(zt_shm_ring_mapping *out, int call, int fd) {
  int error = errno;
  if (fd >= 0) close(fd);
  out->failed_call = call;
  return ZT_ERR(error);
}

/* A new ring must not reuse the inode of a stale one: a process that still maps the old file
 * would otherwise see the new ring's records. Unlinking first leaves it its old pages. */
static int create_file(const char *path, uint64_t length, zt_shm_ring_mapping *out) {
  if (unlink(path) != 0 && errno != ENOENT) return fail(out, ZT_SHM_RING_CALL_UNLINK, -1);
  int fd;
  do fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  while (fd < 0 && errno == EINTR);
  if (fd < 0) return fail(out, ZT_SHM_RING_CALL_OPEN, -1);
  if (ftruncate(fd, (off_t)length) != 0) return fail(out, ZT_SHM_RING_CALL_FTRUNCATE, fd);
  return fd;
}

static int open_file(const char *path, uint64_t *length, zt_shm_ring_mapping *out) {
  int fd;
  do fd = open(path, O_RDWR | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  if (fd < 0) return fail(out, ZT_SHM_RING_CALL_OPEN, -1);
  struct stat st;
  if (fstat(fd, &st) != 0) return fail(out, ZT_SHM_RING_CALL_FSTAT, fd);
  *length = (uint64_t)st.st_size;
  return fd;
}

/*
 * Maps the ring file at `path` read-write and shared. With ZT_SHM_RING_CREATE, first replaces
 * the file with a zero-filled one of `create_length` bytes; otherwise maps the existing file
 * whole (`create_length` is ignored) so that the caller can check its header, whatever it holds.
 * Returns 0 and fills `out`, or -errno with `out->failed_call` naming the call that failed.
 */
ZT_EXPORT int zt_shm_ring_map(const char *path, uint64_t create_length, uint32_t flags, zt_shm_ring_mapping *out) {
  *out = (zt_shm_ring_mapping){0};
  if (path == NULL || (flags & ~ZT_SHM_RING_CREATE) != 0) return ZT_ERR(EINVAL);
  int create = (flags & ZT_SHM_RING_CREATE) != 0;
  if (create && (create_length == 0 || create_length > ZT_SHM_RING_MAX_LENGTH)) return ZT_ERR(EINVAL);

  uint64_t length = create_length;
  int fd = create ? create_file(path, length, out) : open_file(path, &length, out);
  if (fd < 0) return fd;
  if (length > ZT_SHM_RING_MAX_LENGTH) {
    close(fd);
    out->failed_call = ZT_SHM_RING_CALL_FSTAT;
    return ZT_ERR(EFBIG);
  }
  out->length = length;
  if (length == 0) {
    close(fd);
    return 0;
  }
  /* MAP_POPULATE faults every page in now, so that the first lap of the ring does not take
   * a page fault per 4 KiB on the hot path. */
  void *address = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
  if (address == MAP_FAILED) return fail(out, ZT_SHM_RING_CALL_MMAP, fd);
  close(fd); /* the mapping keeps the file alive */
  out->address = address;
  return 0;
}

ZT_EXPORT int zt_shm_ring_unmap(void *address, uint64_t length) {
  if (address == NULL || length == 0) return 0;
  return munmap(address, length) == 0 ? 0 : ZT_ERR(errno);
}
