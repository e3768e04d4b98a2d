/** The order path's public surface: what the gateway wires and what strategies import. */
export * from './order-request.js';
export { OrderRouter, type OrderListener, type OrderRouterOptions, type SendMode } from './order-router.js';
export { OrderSession, SessionState, SESSION_STATE_NAMES, SILENT_INTERVALS_BEFORE_DOWN, type OrderSessionOptions } from './order-session.js';
export { RiskChecks, InstrumentRisk, UNLIMITED_RISK_LIMITS, RISK_ALLOWED, type RiskConfig, type RiskLimits } from './risk.js';
export { OrderCounters } from './order-counters.js';
export { REJECT_REASON_NAMES, formatPrice } from './order-reject.js';
export { NO_TRIGGER_SEQ_NUM } from './message-encoder.js';
export { nativeTransport, discardConnection, type OrderTransport, type OrderConnection, type OrderConnectOptions, type OrderSender, type OrderReceiver } from './order-transport.js';
export { socketTransport, SocketSender, SocketReceiver } from './socket-transport.js';
