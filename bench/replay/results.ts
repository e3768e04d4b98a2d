/** What the replay suite measures (saved as build/results/replay.json). */

/**
 * The max-speed senders: zerotick replay and tcpreplay on the file; the C references (the same
 * count of datagrams, no file) show the kernel's limit by sendmmsg and what UDP GSO lifts it to.
 */
export const MAX_SPEED_SENDERS = ['zerotick', 'tcpreplay', 'c-sendmmsg', 'c-gso'] as const;
export type MaxSpeedSender = (typeof MAX_SPEED_SENDERS)[number];

/** One run of a sender, as the sender itself reported it. */
export interface ThroughputRun {
  round: number;
  sender: MaxSpeedSender;
  packets: number;
  packetsPerSecond: number;
  /** Datagrams that reached the sink socket (queued or dropped on its full buffer). */
  delivered: number;
}

export interface MaxSpeedResult {
  runs: ThroughputRun[];
  /** Packets in the file; each run sends it `loops` times. */
  filePackets: number;
  loops: number;
  /** Why a sender has no runs, for each one that has none. */
  unavailable: Partial<Record<MaxSpeedSender, string>>;
}

/** How the paced replay's sending thread was scheduled in a round. */
export type Scheduling = 'shared' | 'realtime';

/** One paced pass over the realistic file: the replayer's own pacing error summary. */
export interface PacedRound {
  round: number;
  scheduling: Scheduling;
  packets: number;
  sends: number;
  p50Nanos: number;
  p99Nanos: number;
  maxNanos: number;
  /** p99 of the sends' own duration (wait's end to sendmmsg's return): the kernel's share of the error. */
  sendP99Nanos: number;
  /** Involuntary context switches of the sending thread during the round. */
  preemptions: number;
  /** Garbage collections that started during the round: 0 when the paced loop allocates nothing. */
  collections: number;
  /** The machine's floor right after: pacing_floor.c's lateness p99 under the same scheduling, waiting only (undefined: not built). */
  floorP99Nanos: number | undefined;
  /** The same C thread sending each datagram by sendto when due: a paced sender without JavaScript. */
  cSenderP99Nanos: number | undefined;
}

export interface PacedResult {
  rounds: PacedRound[];
  filePackets: number;
  fileSpanNs: number;
  /** Why the realtime rounds are missing, when they are. */
  realtimeUnavailable: string | undefined;
  /** Why the C floor is missing, when it is. */
  floorUnavailable: string | undefined;
}

export interface ReplaySuiteResult {
  payloadBytes: number;
  /** The address datagrams went to (a non-loopback address of this host, so tcpreplay's frames reach UDP). */
  destination: string;
  pinning: string;
  maxSpeed: MaxSpeedResult;
  paced: PacedResult;
}
