/**
 * The AF_PACKET ring's hot path allocates nothing: half a million datagrams from a C sender on
 * lo are walked in place, for TPACKET_V2 and V3, with no GC run, the drop count read every 256
 * polls as the gateway's worker reads it. Measured in a child process that
 * owns the ring and the sockets, with a small young generation (see the fixture), where nothing
 * but the loop runs. Needs CAP_NET_RAW: skipped, saying why, without it.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runTypeScriptChild } from '../../bench/lib/child.js';
import type { TpacketVersion } from '../../src/io/packet-ring.js';
import { missingPacketRingCapability } from './fixtures/packet-ring-capability.js';
import type { PacketRingDrainResult } from './fixtures/zero-alloc-packet-ring.js';
import { SMALL_YOUNG_GENERATION_FLAG } from './fixtures/young-generation.js';

const fixture = fileURLToPath(new URL('./fixtures/zero-alloc-packet-ring.ts', import.meta.url));
const WARM_UP_DATAGRAMS = 50_000;
const MEASURED_DATAGRAMS = 500_000;
const PAYLOAD_LENGTH = 64;

const skipReason = missingPacketRingCapability();
if (skipReason !== undefined) console.warn(`packet ring hot-path tests on lo skipped: ${skipReason}`);

const versions: TpacketVersion[] = [2, 3];

describe.skipIf(skipReason !== undefined).each(versions)('PacketRing TPACKET_V%i hot path', (version) => {
  it('walks half a million datagrams in place with no GC run', { timeout: 120_000 }, async () => {
    // given a ring on the port a C sender floods, warmed up by 50k datagrams
    // when half a million more are walked
    const result = await runTypeScriptChild<PacketRingDrainResult>(
      fixture,
      [version, WARM_UP_DATAGRAMS, MEASURED_DATAGRAMS, PAYLOAD_LENGTH].map(String),
      { nodeFlags: [SMALL_YOUNG_GENERATION_FLAG] },
    );

    // then
    const { gcRuns, elapsedMs, newSpaceGrowthBytes, packets } = result;
    console.log(
      `packet ring V${version}: ${packets - WARM_UP_DATAGRAMS} datagrams in ${elapsedMs.toFixed(0)} ms, ` +
        `kernel drops ${result.statistics.drops}, GC runs ${gcRuns}, new-space growth ${newSpaceGrowthBytes} bytes`,
    );
    expect(gcRuns).toBe(0);
    expect(newSpaceGrowthBytes).toBeLessThan(64 * 1024); // what the JIT leaves behind, not 16 bytes per datagram
    expect(packets).toBeGreaterThanOrEqual(WARM_UP_DATAGRAMS + MEASURED_DATAGRAMS);
    expect(result.bytes).toBe(packets * PAYLOAD_LENGTH);
    expect(result.outOfOrder).toBe(0);
    expect(result.dropCountInLoop).toBeLessThanOrEqual(result.statistics.drops);
    expect([result.malformed, result.truncated]).toEqual([0, 0]);
  });
});
