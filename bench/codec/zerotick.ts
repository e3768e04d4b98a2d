/** zerotick's own codecs: generated from the schemas at bench start. (Filled in when the generator lands.) */
import type { Codec, MessageKind } from './codec.js';

export interface ZerotickCodecs {
  /** The variants timed against the other formats, per message. */
  codecs: Record<MessageKind, Codec[]>;
  /** The zero-allocation variant each message's steady-state loop runs. */
  steadyState: Record<MessageKind, Codec>;
}

export async function loadZerotickCodecs(): Promise<ZerotickCodecs | { unavailable: string }> {
  return { unavailable: 'the SBE code generator (src/sbe/generator.ts) is missing' };
}
