/**
 * Clean-up of a benchmark that is interrupted: what a run starts (a cluster, a local etcd, a bare
 * server, writer processes, its temporary directory) registers how to stop it, and a SIGINT or
 * SIGTERM runs every registered stop, newest first, before the process exits (130 or 143). Server
 * processes also die with their parent, but an etcd does not: without this, Ctrl-C would leave it
 * running with its data in the temporary directory.
 */

type Stop = () => Promise<void> | void;

const stops = new Set<{ label: string; stop: Stop }>();
let stopping = false;

function onSignal(signal: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`bench: ${signal}: stopping what the benchmark started\n`);
  void (async () => {
    for (const entry of [...stops].reverse()) {
      try {
        await entry.stop();
      } catch (err) {
        process.stderr.write(`bench: stopping ${entry.label} failed: ${err instanceof Error ? err.message : String(err)}\n`);
      }
    }
  })().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
}

/**
 * Registers `stop` to run on SIGINT/SIGTERM until the returned function is called (which the caller
 * does once it stopped the thing itself). The signal handlers are installed while anything is registered.
 */
export function stopOnSignal(label: string, stop: Stop): () => void {
  const entry = { label, stop };
  if (stops.size === 0) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  stops.add(entry);
  return () => {
    stops.delete(entry);
    if (stops.size === 0 && !stopping) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  };
}

/**
 * Runs `body` with `stop` registered for signals, then always runs `stop` itself. A body that fails
 * because a signal's clean-up stopped what it waited for reports nothing: the process exits once
 * the clean-up is done.
 */
export async function guarded<T>(label: string, stop: Stop, body: () => Promise<T>): Promise<T> {
  const release = stopOnSignal(label, stop);
  try {
    return await body();
  } catch (err) {
    if (stopping) await new Promise<never>(() => undefined);
    throw err;
  } finally {
    release();
    await stop();
  }
}
