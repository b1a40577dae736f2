/**
 * Why one exchange with an upstream failed. Every such failure counts against the upstream's
 * health; the forward handler then tries the next upstream.
 */
import { ClusterDnsError } from '../../errors.js';

export type UpstreamFailure = 'timeout' | 'network' | 'closed';

export class UpstreamError extends ClusterDnsError {
  constructor(
    readonly failure: UpstreamFailure,
    readonly upstream: string,
    options?: { cause?: unknown },
  ) {
    super('UPSTREAM', `upstream ${upstream}: ${failure}`, options);
  }
}
