/** The feed handler's public surface: sources by URL, the MDP 3.0 handler, sequencing, books. */
export * from './datagram.js';
export * from './market-data.js';
export * from './feed-url.js';
export * from './feed-counters.js';
export * from './rate-limited-log.js';
export * from './book.js';
export * from './book-builder.js';
export * from './mdp3-codecs.js';
export * from './mdp3-handler.js';
export * from './sequencer.js';
export * from './feed-channel.js';
export * from './sources/open-feed-source.js';
export * from './sources/udp-source.js';
export * from './sources/packet-source.js';
export * from './sources/shm-source.js';
export * from './sources/pcap-source.js';
export * from './sources/dgram-source.js';
