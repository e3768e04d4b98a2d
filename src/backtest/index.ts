/** The in-process backtest: the public surface of src/backtest. */
export { Backtest, BacktestFeedError, runBacktest, type BacktestOptions, type BacktestSpeed } from './backtest.js';
export { formatSummary, PRICE_EXPONENT, type BacktestSummary, type PositionSummary, type StrategySummary } from './backtest-summary.js';
export * from './order-stream-layout.js';
