/**
 * The server as run by one `serve --workers N` worker: an Instance whose readiness also
 * depends on the other workers, so `/ready` (which any worker may answer) is 200 only when
 * every worker slot is ready.
 *
 * The worker reports its own readiness to the primary when it changes (checked every
 * `pollMs`); the primary answers with whether all slots are ready, and that answer is the
 * extra readiness source named `workers`.
 */
import type { Readiness } from '../chain/handler.js';
import { Instance, type InstanceOptions } from './instance.js';
import { isPeersMessage, type ReadyMessage } from './workers-messages.js';

/** How often a worker checks whether its own readiness changed. */
const POLL_MS = 250;

export class WorkerInstance extends Instance {
  private allReady = false;
  private reported: boolean | null = null;
  private readonly poll: NodeJS.Timeout;
  private readonly peers: Readiness = { name: 'workers', ready: () => this.allReady };

  constructor(options: InstanceOptions, pollMs = POLL_MS) {
    super(options);
    process.on('message', (message: unknown) => {
      if (isPeersMessage(message)) this.allReady = message.allReady;
    });
    this.poll = setInterval(() => this.reportReadiness(), pollMs).unref();
  }

  /** This worker's readiness sources, plus one that is ready when every worker is. */
  override readiness(): readonly Readiness[] {
    return [...super.readiness(), this.peers];
  }

  override async shutdown(): Promise<void> {
    clearInterval(this.poll);
    await super.shutdown();
  }

  private reportReadiness(): void {
    const ready = this.started && super.readiness().every((source) => source.ready());
    if (ready === this.reported) return;
    this.reported = ready;
    const message: ReadyMessage = { type: 'clusterdns:ready', ready };
    process.send?.(message);
  }
}
