import { fork } from 'node:child_process';
import { existsSync, openSync, readFileSync, rmSync, truncateSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { SyscallError } from '../../src/io/errors.js';
import { INSUFFICIENT_CAPACITY, ShmRing, ShmRingFormatError, shmRingPath } from '../../src/io/shm-ring.js';
import {
  CAPACITY_OFFSET,
  HEAD_CACHE_POSITION_OFFSET,
  HEAD_POSITION_OFFSET,
  LAYOUT_VERSION_OFFSET,
  MAGIC,
  TAIL_POSITION_OFFSET,
  fileLength,
  loadPosition,
  positionWordIndex,
  storePosition,
} from '../../src/io/shm-ring-layout.js';
import { gcRunsDuring } from '../support/gc-runs.js';
import type { ConsumerVerdict } from './fixtures/shm-ring-consumer.js';
import { StreamChecker, consumeStream, encodeMessage, messageLengthOf, produceStream, typeIdOf } from './fixtures/shm-ring-records.js';
import { startTsWorker } from './fixtures/ts-worker.js';

const producerFixture = fileURLToPath(new URL('./fixtures/shm-ring-producer.ts', import.meta.url));
const consumerFixture = new URL('./fixtures/shm-ring-consumer.ts', import.meta.url);

const paths: string[] = [];
const rings: ShmRing[] = [];
function freshPath(label: string): string {
  const path = shmRingPath(`test-${label}-${process.pid}`);
  paths.push(path);
  return path;
}
function track(ring: ShmRing): ShmRing {
  rings.push(ring);
  return ring;
}
afterEach(() => {
  for (const ring of rings.splice(0)) ring.close();
  for (const path of paths.splice(0)) rmSync(path, { force: true });
});

describe('ShmRing records', () => {
  it('hands records to the consumer in order with their type and exact bytes', () => {
    // given
    const path = freshPath('order');
    const producer = track(ShmRing.create(path, 4096));
    const consumer = track(ShmRing.open(path));
    const checker = new StreamChecker(consumer);
    const scratch = new Uint8Array(producer.maxMessageLength);

    // when
    for (let sequence = 0; sequence < 10; sequence++) {
      const length = messageLengthOf(sequence, producer.maxMessageLength);
      encodeMessage(scratch, 0, sequence, length);
      expect(producer.tryWrite(typeIdOf(sequence), scratch, 0, length)).toBe(true);
      expect(consumer.read(checker.handle, 100)).toBe(1);
    }

    // then
    expect(checker.expectedSequence).toBe(10);
    expect(checker.firstMismatch).toBe('');
    expect(consumer.read(checker.handle, 100)).toBe(0);
  });

  it('publishes a claimed record only on commit, and skips an aborted one', () => {
    // given
    const path = freshPath('claim');
    const producer = track(ShmRing.create(path, 1024));
    const consumer = track(ShmRing.open(path));
    const seen: number[] = [];
    const handler = (view: DataView, offset: number): void => {
      seen.push(view.getInt32(offset, true));
    };

    // when a record is claimed and encoded but not committed
    const first = producer.tryClaim(5, 4);
    producer.view.setInt32(first, 111, true);
    const readBeforeCommit = consumer.read(handler, 10);
    producer.commit(first);
    const aborted = producer.tryClaim(5, 4);
    producer.abort(aborted);
    const third = producer.tryClaim(5, 4);
    producer.view.setInt32(third, 333, true);
    producer.commit(third);

    // then
    expect(readBeforeCommit).toBe(0);
    expect(consumer.read(handler, 10)).toBe(2);
    expect(seen).toEqual([111, 333]);
    expect(() => producer.commit(third)).toThrow(/no claimed record at messageOffset=/);
  });

  it('consumes a record whose handler throws, rethrows, and goes on with the next one', () => {
    // given three records
    const path = freshPath('throwing-handler');
    const producer = track(ShmRing.create(path, 1024));
    const consumer = track(ShmRing.open(path));
    for (const value of [1, 2, 3]) expect(producer.tryWrite(1, new Uint8Array([value]), 0, 1)).toBe(true);
    const values: number[] = [];
    const failOnTwo = (view: DataView, offset: number): void => {
      values.push(view.getUint8(offset));
      if (view.getUint8(offset) === 2) throw new Error('handler failed on 2');
    };

    // when / then
    expect(() => consumer.read(failOnTwo, 10)).toThrow('handler failed on 2');
    expect(consumer.read(failOnTwo, 10)).toBe(1);
    expect(values).toEqual([1, 2, 3]);
    expect(consumer.size()).toBe(0);
  });

  it('wraps a record that does not fit before the end to the start, behind a padding record the handler never sees', () => {
    // given a 1024-byte ring: 9 records of 100 + 8 bytes (112 aligned) fill 1008 bytes
    const path = freshPath('wrap');
    const producer = track(ShmRing.create(path, 1024));
    const consumer = track(ShmRing.open(path));
    const message = new Uint8Array(100);
    const sequences: number[] = [];
    const handler = (view: DataView, offset: number, length: number): void => {
      sequences.push(view.getUint8(offset));
      expect(length).toBe(100);
    };
    for (let sequence = 0; sequence < 9; sequence++) {
      message[0] = sequence;
      expect(producer.tryWrite(1, message, 0, 100)).toBe(true);
    }

    // when the 10th needs 112 bytes: 16 are left before the end, so it waits for the start to be read
    message[0] = 9;
    const beforeRead = producer.tryWrite(1, message, 0, 100);
    consumer.read(handler, 1);
    const afterRead = producer.tryWrite(1, message, 0, 100);

    // then it lands at the start behind 16 bytes of padding
    expect([beforeRead, afterRead]).toEqual([false, true]);
    expect(producer.producerPosition()).toBe(9 * 112 + 16 + 112);
    expect(consumer.read(handler, 100)).toBe(8); // the reads stop at the end of the region ...
    expect(consumer.read(handler, 100)).toBe(1); // ... and go on from its start
    expect(sequences).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(consumer.size()).toBe(0);
  });

  it('makes tryWrite and tryClaim return false/-1 while the ring is full, until the consumer catches up', () => {
    // given a 1024-byte ring and 8-byte messages (16-byte records)
    const path = freshPath('full');
    const producer = track(ShmRing.create(path, 1024));
    const consumer = track(ShmRing.open(path));
    const message = new Uint8Array(8);
    let written = 0;
    while (written <= 1024 && producer.tryWrite(1, message, 0, 8)) written++; // bounded: a broken ring fails, not hangs
    const ignore = (): void => {};

    // then
    expect(written).toBe(1024 / 16);
    expect(producer.tryWrite(1, message, 0, 8)).toBe(false);
    expect(producer.tryClaim(1, 8)).toBe(INSUFFICIENT_CAPACITY);
    expect(producer.size()).toBe(1024);

    // when the consumer reads three records
    expect(consumer.read(ignore, 3)).toBe(3);

    // then exactly three more fit
    expect([1, 2, 3, 4].map(() => producer.tryWrite(1, message, 0, 8))).toEqual([true, true, true, false]);
    expect(consumer.read(ignore, 1000)).toBe(61); // up to the end of the region
    expect(consumer.read(ignore, 1000)).toBe(3);
  });

  it('keeps working when positions pass 2^31 and 2^32 (the low word wraps, the high word follows)', () => {
    // given a ring whose positions all start 2 KiB below 2^32
    const path = freshPath('positions');
    const creator = track(ShmRing.create(path, 4096));
    const words = new Int32Array(creator.bytes.buffer);
    const start = 2 ** 32 - 2048;
    for (const offset of [TAIL_POSITION_OFFSET, HEAD_CACHE_POSITION_OFFSET, HEAD_POSITION_OFFSET]) {
      storePosition(words, positionWordIndex(4096, offset), start);
    }
    const producer = track(ShmRing.open(path));
    const consumer = track(ShmRing.open(path));
    const checker = new StreamChecker(consumer);
    const scratch = new Uint8Array(producer.maxMessageLength);

    // when 1000 records go through
    let sequence = 0;
    for (let polls = 0; checker.expectedSequence < 1000 && polls < 100_000; polls++) {
      const length = messageLengthOf(sequence, producer.maxMessageLength);
      encodeMessage(scratch, 0, sequence, length);
      if (sequence < 1000 && producer.tryWrite(typeIdOf(sequence), scratch, 0, length)) sequence++;
      consumer.read(checker.handle, 7);
    }

    // then
    expect(checker.firstMismatch).toBe('');
    expect(producer.producerPosition()).toBeGreaterThan(2 ** 32);
    expect(consumer.consumerPosition()).toBe(producer.producerPosition());
    expect(loadPosition(words, positionWordIndex(4096, HEAD_POSITION_OFFSET))).toBe(consumer.consumerPosition());
  });

  it('rejects a type id below 1 and a message longer than capacity / 8, naming the value', () => {
    const path = freshPath('limits');
    const ring = track(ShmRing.create(path, 1024));
    const message = new Uint8Array(200);
    expect(() => ring.tryWrite(0, message, 0, 8)).toThrow('typeId must be a positive int32: typeId=0');
    expect(() => ring.tryWrite(1, message, 0, 129)).toThrow('message length must be an integer in 0..128 (capacity / 8): length=129');
    expect(() => ring.tryWrite(1, message, 150, 100)).toThrow(/source range out of bounds: sourceOffset=150 length=100/);
  });
});

describe('ShmRing across processes', () => {
  it('carries a million records from a producer process to this one in order, exactly once, with no GC in the consumer loop', async () => {
    // given a 64 KiB ring (so a million records wrap it thousands of times) and a producer process
    const recordCount = 1_000_000;
    const path = freshPath('processes');
    const consumer = track(ShmRing.create(path, 64 * 1024));
    const checker = new StreamChecker(consumer);
    let producerOutput = '';
    const producer = fork(producerFixture, [path, String(recordCount)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    producer.stdout!.on('data', (chunk: Buffer) => (producerOutput += chunk.toString()));
    const producerExit = new Promise<number | null>((resolve) => producer.on('exit', (code) => resolve(code)));

    // when this process busy-polls until all have arrived (or nothing arrives for 20 s); the
    // first 100k records let V8 optimise the loop, the rest are the measured steady state
    consumeStream(consumer, checker, 100_000);
    const { gcRuns, elapsedMs, newSpaceGrowthBytes } = await gcRunsDuring(() => consumeStream(consumer, checker, recordCount));
    const exitCode = await producerExit;
    console.log(`shm ring across processes: ${recordCount - 100_000} records in ${elapsedMs.toFixed(0)} ms, GC runs ${gcRuns}, new-space growth ${newSpaceGrowthBytes} bytes`);

    // then
    expect(exitCode).toBe(0);
    const report = JSON.parse(producerOutput) as { written: number; fullRingRejections: number };
    expect(report.written).toBe(recordCount);
    expect(checker.firstMismatch).toBe('');
    expect(checker.mismatches).toBe(0);
    expect(checker.expectedSequence).toBe(recordCount);
    expect(consumer.read(checker.handle, 64)).toBe(0); // exactly once: nothing more
    expect(consumer.consumerPosition() / consumer.capacity).toBeGreaterThan(1000); // laps of the ring
    expect(gcRuns).toBe(0);
    expect(newSpaceGrowthBytes).toBeLessThan(64 * 1024); // what the JIT leaves behind, not bytes per record
  }, 120_000); // two busy-polling processes on a shared, loaded machine

  it('carries records to a consumer in a worker thread that maps the file itself', async () => {
    // given a 16 KiB ring and a consumer thread that has opened it
    const recordCount = 200_000;
    const path = freshPath('worker');
    const producer = track(ShmRing.create(path, 16 * 1024));
    const worker = startTsWorker(consumerFixture, { workerData: { path, recordCount } });
    const failed = new Promise<never>((_, reject) => worker.on('error', reject));
    const nextMessage = (): Promise<unknown> =>
      Promise.race([failed, new Promise((resolve) => worker.once('message', resolve))]);
    expect(await nextMessage()).toBe('ready');

    // when this thread produces the stream
    const verdictMessage = nextMessage();
    produceStream(producer, recordCount);
    const verdict = (await verdictMessage) as ConsumerVerdict;
    await worker.terminate();

    // then
    expect(verdict).toEqual({ received: recordCount, mismatches: 0, firstMismatch: '' });
  }, 120_000);

  it('sees GC runs through the same measurement when the loop does allocate (the zero above is not vacuous)', async () => {
    const retained: number[][] = [];
    const { gcRuns } = await gcRunsDuring(() => {
      for (let i = 0; i < 2_000_000; i++) {
        retained.push([i, i + 1]); // escapes, so V8 must allocate it
        if (retained.length === 1000) retained.length = 0;
      }
    });
    expect(gcRuns).toBeGreaterThan(0);
  });
});

describe('ShmRing files', () => {
  function createdThenClosed(label: string, capacity = 1024): string {
    const path = freshPath(label);
    ShmRing.create(path, capacity).close();
    return path;
  }
  function patchInt32(path: string, offset: number, value: number): void {
    const field = Buffer.alloc(4);
    field.writeInt32LE(value);
    const fd = openSync(path, 'r+');
    writeSync(fd, field, 0, 4, offset);
    closeSync(fd);
  }

  it('writes a header another build can check: magic, version, capacity, and the exact file size', () => {
    const path = createdThenClosed('header');
    const file = readFileSync(path);
    expect(file.length).toBe(fileLength(1024));
    expect(file.readInt32LE(0)).toBe(MAGIC);
    expect(file.toString('latin1', 0, 4)).toBe('ZTSR');
    expect(file.readInt32LE(LAYOUT_VERSION_OFFSET)).toBe(1);
    expect(file.readInt32LE(CAPACITY_OFFSET)).toBe(1024);
  });

  it('rejects a foreign file: wrong magic', () => {
    const path = freshPath('foreign');
    writeFileSync(path, Buffer.alloc(fileLength(1024), 0x41));
    expect(() => ShmRing.open(path)).toThrow(ShmRingFormatError);
    expect(() => ShmRing.open(path)).toThrow(
      `shm ring ${path}: magic is 0x41414141, expected 0x5253545a ("ZTSR"): not a zerotick shm ring, or one still being created`,
    );
  });

  it('rejects a ring of another layout version', () => {
    const path = createdThenClosed('version');
    patchInt32(path, LAYOUT_VERSION_OFFSET, 2);
    expect(() => ShmRing.open(path)).toThrow(`shm ring ${path}: layout version is 2, this build reads version 1: recreate the ring with this build`);
  });

  it('rejects a capacity that is not a power of two', () => {
    const path = createdThenClosed('capacity');
    patchInt32(path, CAPACITY_OFFSET, 1000);
    expect(() => ShmRing.open(path)).toThrow(`shm ring ${path}: header field capacity: capacity must be a power of two from 128 to 1073741824: capacity=1000`);
  });

  it('rejects a file whose size does not match its capacity (truncated or resized)', () => {
    const path = createdThenClosed('size');
    truncateSync(path, 1000);
    expect(() => ShmRing.open(path)).toThrow(
      `shm ring ${path}: file is 1000 bytes but capacity=1024 needs 1664 (header 128 + capacity + trailer 512): truncated, resized or foreign`,
    );
    patchInt32(path, CAPACITY_OFFSET, 2048);
    truncateSync(path, fileLength(1024));
    expect(() => ShmRing.open(path)).toThrow(/file is 1664 bytes but capacity=2048 needs 2688/);
  });

  it('rejects an empty file and names a missing one', () => {
    const empty = freshPath('empty');
    writeFileSync(empty, '');
    expect(() => ShmRing.open(empty)).toThrow(`shm ring ${empty}: file is 0 bytes, shorter than the 128-byte ring header: not a zerotick shm ring`);
    const missing = freshPath('missing');
    expect(() => ShmRing.open(missing)).toThrow(SyscallError);
    expect(() => ShmRing.open(missing)).toThrow(`open ${missing}: ENOENT (No such file or directory)`);
  });

  it('refuses to create a ring whose capacity is not a power of two', () => {
    const path = freshPath('bad-capacity');
    expect(() => ShmRing.create(path, 1000)).toThrow(`shm ring ${path}: capacity must be a power of two from 128 to 1073741824: capacity=1000`);
    expect(existsSync(path)).toBe(false);
  });

  it('replaces a stale ring on create, leaving a process that still maps the old file its old records', () => {
    // given an old ring with an unread record, still mapped by its consumer
    const path = freshPath('replace');
    const oldProducer = track(ShmRing.create(path, 1024));
    const oldConsumer = track(ShmRing.open(path));
    expect(oldProducer.tryWrite(1, new Uint8Array([42]), 0, 1)).toBe(true);

    // when a new ring is created at the same path
    const fresh = track(ShmRing.create(path, 2048));
    const values: number[] = [];
    const collect = (view: DataView, offset: number): void => {
      values.push(view.getUint8(offset));
    };

    // then the new one is empty and the old consumer still reads the old record
    expect(track(ShmRing.open(path)).read(collect, 10)).toBe(0);
    expect(fresh.capacity).toBe(2048);
    expect(oldConsumer.read(collect, 10)).toBe(1);
    expect(values).toEqual([42]);
  });

  it('reports position words that never agree as a corrupt file instead of spinning', () => {
    // given a tail whose high word says "below 2^31" while its low word says "above"
    const path = freshPath('corrupt');
    const ring = track(ShmRing.create(path, 1024));
    const words = new Int32Array(ring.bytes.buffer);
    const tailWordIndex = positionWordIndex(1024, TAIL_POSITION_OFFSET);
    words[tailWordIndex] = -8;

    // then
    expect(() => ring.producerPosition()).toThrow(
      `position words at byte ${tailWordIndex * 4} disagree (low=-8, high=0): the ring file is corrupt`,
    );
  });

  it('refuses a record length that runs past the records region, after handing over the records before it', () => {
    // given one good record, then a length that claims more than the region holds
    const path = freshPath('bad-length');
    const ring = track(ShmRing.create(path, 1024));
    expect(ring.tryWrite(1, new Uint8Array(8), 0, 8)).toBe(true);
    new Int32Array(ring.bytes.buffer)[(128 + 16) / 4] = 5000;
    let handled = 0;
    const count = (): void => {
      handled++;
    };

    // then
    expect(() => ring.read(count, 10)).toThrow(`shm ring ${path}: record at byte 144 has length 5000, outside 8..1008: the ring is corrupt`);
    expect(handled).toBe(1);
    expect(ring.consumerPosition()).toBe(16);
  });

  it('throws a RangeError, not a crash, when used after close()', () => {
    const path = freshPath('closed');
    const ring = ShmRing.create(path, 1024);
    ring.close();
    expect(() => ring.read(() => {}, 1)).toThrow(RangeError);
  });
});
