/**
 * The layout of every bench datagram and SPSC ring record (drawn in bench/c/bench_datagram.h,
 * which the C sender and receiver use): sequence number, then the trial id.
 */
export const SEQUENCE_OFFSET = 0;
export const TRIAL_OFFSET = 8;
export const HEADER_LENGTH = 16;

// Trials send far fewer than 2^32 datagrams: receivers read only the sequence's low 32-bit word.

/** Type id of the SPSC ring records the bench writes (ring type ids start at 1). */
export const RING_RECORD_TYPE = 1;
