/**
 * Resolves on the first SIGINT or SIGTERM (Ctrl-C, `kill`), so a command can stop cleanly.
 * Later signals are ignored while it stops: Ctrl-C under `npm start` reaches this process twice
 * (from the terminal to the whole process group, and forwarded by npm), and the second must not
 * kill a shutdown in progress.
 */
export function waitForStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let received: NodeJS.Signals | undefined;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (received !== undefined) return;
      received = signal;
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
