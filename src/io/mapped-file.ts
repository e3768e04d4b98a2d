/**
 * A whole file mapped into memory, seen as one Uint8Array: the capture reader and the decoder
 * hand out offsets into it, so a recorded feed is replayed without reading it into the JS heap
 * or copying a packet.
 *
 * The mapping is private and writable (copy-on-write): the file never changes, and a consumer
 * that scribbles on a datagram in place gets its own page instead of a SIGSEGV. It is populated
 * up front (MAP_POPULATE) so that page faults happen here, not on the replay's hot path.
 *
 * The memory belongs to the mapping, not to the garbage collector: call `close()` when done, and
 * never touch `bytes` (or a view of it) afterwards.
 */
import { SyscallError } from './errors.js';
import { koffi, libc } from './native.js';

const O_RDONLY = 0;
const O_CLOEXEC = 0o2000000;
const SEEK_END = 2;
const PROT_READ = 0x1;
const PROT_WRITE = 0x2;
const MAP_PRIVATE = 0x02;
const MAP_POPULATE = 0x8000;
/** mmap's MAP_FAILED, (void *) -1, as koffi returns pointers: an unsigned BigInt. */
const MAP_FAILED = 0xffff_ffff_ffff_ffffn;

const open: (path: string, flags: number) => number = libc.func('int open(const char *path, int flags)');
const lseek: (fd: number, offset: number, whence: number) => number = libc.func('int64_t lseek(int fd, int64_t offset, int whence)');
const mmap: (address: null, length: number, protection: number, flags: number, fd: number, offset: number) => bigint = libc.func(
  'void *mmap(void *addr, size_t length, int prot, int flags, int fd, int64_t offset)',
);
const munmap: (address: bigint, length: number) => number = libc.func('int munmap(void *addr, size_t length)');
const close: (fd: number) => number = libc.func('int close(int fd)');

export class MappedFile {
  readonly path: string;
  /** The file's bytes; invalid after close(). */
  readonly bytes: Uint8Array;
  private address: bigint | undefined;

  private constructor(path: string, bytes: Uint8Array, address: bigint | undefined) {
    this.path = path;
    this.bytes = bytes;
    this.address = address;
  }

  /** Maps `path` whole; throws SyscallError naming the failing call and the path. */
  static open(path: string): MappedFile {
    const fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw new SyscallError('open', path, koffi.errno());
    try {
      const length = lseek(fd, 0, SEEK_END);
      if (length < 0) throw new SyscallError('lseek', path, koffi.errno());
      // mmap refuses a zero length; an empty file is simply no bytes.
      if (length === 0) return new MappedFile(path, new Uint8Array(0), undefined);
      const address = mmap(null, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_POPULATE, fd, 0);
      if (address === MAP_FAILED) throw new SyscallError('mmap', path, koffi.errno());
      return new MappedFile(path, new Uint8Array(koffi.view(address, length)), address);
    } finally {
      close(fd); // the mapping keeps the file's pages; the descriptor is no longer needed
    }
  }

  /** Unmaps the file. Idempotent. Any view of `bytes` is invalid afterwards. */
  close(): void {
    if (this.address === undefined) return;
    const address = this.address;
    this.address = undefined;
    if (munmap(address, this.bytes.byteLength) < 0) throw new SyscallError('munmap', this.path, koffi.errno());
  }
}
