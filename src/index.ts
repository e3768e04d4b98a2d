/** The public surface of the zerotick package. */
export * from './sbe/ir.js';
export * from './sbe/diagnostics.js';
export * from './sbe/parser.js';
