/**
 * What the feed handler counts, per channel: plain numeric fields on one object that the hot
 * path increments and the control plane (the gateway's /status) reads or copies. Every datagram
 * or message that is not used is counted under exactly one reason.
 */

/** Why a datagram or a message was skipped. The names are the counters' field names. */
export const BAD_INPUT_REASONS = [
  /** Shorter than the 12-byte MDP 3.0 packet header. */
  'truncatedDatagram',
  /** Bytes after the last message too few for a MsgSize, a MsgSize smaller than the SBE header behind it. */
  'truncatedMessage',
  /** A MsgSize that runs past the end of the datagram. */
  'msgSizePastEnd',
  /** A template the configured schema does not have: only that message is skipped. */
  'unknownTemplate',
  /** An SBE header naming another schema. */
  'wrongSchemaId',
  /** A blockLength smaller than the schema's for that template (at the schema's version or later). */
  'shortBlockLength',
  /** The decoder found a group or field past the end of its message (a bad count or block length). */
  'decodeError',
] as const;

export type BadInputReason = (typeof BAD_INPUT_REASONS)[number];

export class FeedCounters {
  /** Datagrams handed to the MDP 3.0 handler (after arbitration). */
  packets = 0;
  /** Messages dispatched to the listener. */
  messages = 0;
  /** Matching events completed (EndOfEvent seen). */
  events = 0;

  // Bad input (see BAD_INPUT_REASONS).
  truncatedDatagram = 0;
  truncatedMessage = 0;
  msgSizePastEnd = 0;
  unknownTemplate = 0;
  wrongSchemaId = 0;
  shortBlockLength = 0;
  decodeError = 0;
  /** A listener (strategy host) threw out of onMessage/onBook: the rest of that datagram is skipped. */
  listenerError = 0;

  // Sequencing and arbitration.
  /** Datagrams that arrived on each line, before arbitration. */
  lineAPackets = 0;
  lineBPackets = 0;
  /** Copies of packets already handed on (the other line's copy, or a repeat): dropped. */
  duplicates = 0;
  /** Copies of packets already declared lost: they came after the reorder window gave up on them. */
  lateCopies = 0;
  /** Packets that arrived ahead of a hole and were held in the reorder window. */
  reordered = 0;
  /** Out-of-order datagrams larger than a reorder slot: not held, so lost with their hole. */
  reorderOverflow = 0;
  gaps = 0;
  lostPackets = 0;
  /** The channel started its MsgSeqNum over at 1 (a restart): the sequencer followed. */
  sequenceResets = 0;
  /** Datagrams too short to carry a MsgSeqNum: passed on unsequenced (the handler counts them). */
  unsequenced = 0;

  // Books.
  bookEntriesApplied = 0;
  /** Entries naming a level beyond the book's depth or not in the book (a book out of step). */
  bookEntriesRejected = 0;
  /** onBook calls (one per changed instrument per matching event). */
  bookUpdates = 0;
  channelResets = 0;

  /** Messages per template id, for the templates of the configured schema. */
  readonly messagesByTemplate: Float64Array;

  constructor(templateIdLimit: number = 256) {
    this.messagesByTemplate = new Float64Array(templateIdLimit);
  }

  /** Every bad-input count, summed. */
  badInputTotal(): number {
    let total = 0;
    for (const reason of BAD_INPUT_REASONS) total += this[reason];
    return total;
  }
}
