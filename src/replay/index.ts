/** Record, replay and generated feeds: the public surface of src/replay. */
export { Recorder, type RecordOptions, type RecordStats } from './recorder.js';
export { Replayer, type PacketSender, type PacingErrorSummary, type ReplayOptions, type ReplaySpeed, type ReplayStats } from './replayer.js';
export { systemClock, type PacingClock } from './pacing-clock.js';
export { generateFeed, type GenerateFeedOptions, type GeneratedFeed } from './feed-generator.js';
