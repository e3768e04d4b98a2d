/**
 * Bytes allocated by a stretch of code, from V8's sampling heap profiler (through the
 * inspector), counting objects already collected too. A GC count says whether enough was
 * allocated to trigger a collection; this says how much was allocated at all, per operation,
 * so "zero allocation" is shown directly rather than inferred from a quiet collector.
 * Sampled: an estimate, within a few percent over many operations. Starting and stopping the
 * profiler allocates a little itself (about 2 KB, and more the first time): the sampler
 * measures that on empty work when it is created and subtracts it.
 */
import { Session } from 'node:inspector/promises';

/** Average bytes between samples: small, so that even one 16-byte heap number per call shows. */
const SAMPLING_INTERVAL_BYTES = 256;

interface SamplingNode {
  selfSize: number;
  children: SamplingNode[];
}

function totalSelfSize(node: SamplingNode): number {
  return node.children.reduce((total, child) => total + totalSelfSize(child), node.selfSize);
}

/** Empty samplings at creation: the first warms the profiler up, the rest measure its own allocation. */
const CALIBRATION_SAMPLINGS = 4;

export class AllocationSampler {
  private readonly session = new Session();
  private overheadBytes = 0;

  static async create(): Promise<AllocationSampler> {
    const sampler = new AllocationSampler();
    const overheads: number[] = [];
    for (let i = 0; i < CALIBRATION_SAMPLINGS; i++) {
      overheads.push(await sampler.sample(() => {}));
    }
    sampler.overheadBytes = Math.min(...overheads.slice(1));
    return sampler;
  }

  private constructor() {
    this.session.connect();
  }

  /** Bytes allocated while `work` ran, the profiler's own allocation taken out (never below 0). */
  async bytesAllocatedBy(work: () => void): Promise<number> {
    return Math.max(0, (await this.sample(work)) - this.overheadBytes);
  }

  private async sample(work: () => void): Promise<number> {
    await this.session.post('HeapProfiler.startSampling', {
      samplingInterval: SAMPLING_INTERVAL_BYTES,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    try {
      work();
    } catch (error) {
      await this.session.post('HeapProfiler.stopSampling');
      throw error;
    }
    const { profile } = await this.session.post('HeapProfiler.stopSampling');
    return totalSelfSize(profile.head as SamplingNode);
  }

  close(): void {
    this.session.disconnect();
  }
}
