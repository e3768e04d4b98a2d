/** What the order entry side of the simulator has seen and done, for status lines and tests. */
export class OrderServerCounters {
  connectionsAccepted = 0;
  sessionsEstablished = 0;
  /** NewOrderSingle messages received (accepted or rejected). */
  ordersReceived = 0;
  cancelsReceived = 0;
  replacesReceived = 0;
  /** Fill and partial-fill reports sent (one per order per price level traded). */
  fills = 0;
  /** ExecutionReports with ExecType Rejected (unknown security, duplicate ClOrdID, unknown order, bad price or quantity). */
  rejects = 0;
  /** BusinessReject messages sent (malformed and out-of-sequence messages). */
  businessRejects = 0;
  malformedMessages = 0;
  outOfSequenceMessages = 0;
  /** Broken framing or a message before Establish: the connection was terminated. */
  protocolErrors = 0;
  heartbeatTimeouts = 0;
  ordersCancelledOnDisconnect = 0;
}
