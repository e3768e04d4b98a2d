/**
 * zerotick's own codecs, generated at bench start from the schemas by the project's generator.
 * Everything is imported dynamically: when the generator or the generated code is missing or
 * broken, the suite still runs the other formats and says why zerotick is absent.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Codec, MessageKind } from './codec.js';
import { repoDirectory } from '../lib/paths.js';

export interface ZerotickCodecs {
  /** The variants timed against the other formats, per message. */
  codecs: Record<MessageKind, Codec[]>;
  /** The zero-allocation variant each message's steady-state loop runs. */
  steadyState: Record<MessageKind, Codec>;
}

const REQUIRED_SOURCES = ['src/sbe/generator.ts', 'src/sbe/parser.ts', 'src/sbe/runtime/index.ts'];

export async function loadZerotickCodecs(): Promise<ZerotickCodecs | { unavailable: string }> {
  const missing = REQUIRED_SOURCES.filter((source) => !existsSync(path.join(repoDirectory, source)));
  if (missing.length > 0) return { unavailable: `${missing.join(', ')} missing` };
  try {
    const { generateBenchCodecs } = await import('./generate.js');
    generateBenchCodecs();
    const { createZerotickBook46Codec } = await import('./zerotick-book46.js');
    const { createZerotickCarCodec, createZerotickCarStringsCodec } = await import('./zerotick-car.js');
    const book46 = createZerotickBook46Codec();
    const car = createZerotickCarCodec();
    return {
      codecs: { book46: [book46], car: [car, createZerotickCarStringsCodec()] },
      steadyState: { book46, car },
    };
  } catch (error) {
    return { unavailable: `generating or loading the zerotick codecs failed: ${(error as Error).message}` };
  }
}
