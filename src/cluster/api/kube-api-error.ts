/**
 * A failed Kubernetes API call: an HTTP status other than 200, an ERROR watch event, a
 * broken connection or a watch that went silent. `status` is 0 when no HTTP status applies.
 */
import { ClusterDnsError } from '../../errors.js';

export type ApiFailure =
  | 'http'
  | 'network'
  | 'silent'
  | 'protocol'
  | 'short-watch'
  /** The kubeconfig's credentials could not be produced (an exec plugin or token file failed). */
  | 'credentials';

export class KubeApiError extends ClusterDnsError {
  constructor(
    readonly failure: ApiFailure,
    readonly status: number,
    /** The Status object's `reason` (e.g. `Unauthorized`, `Expired`), or a network code. */
    readonly reason: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('KUBE_API', message, options);
  }

  /** 410 Gone: the resourceVersion or continue token is too old; list again. */
  get gone(): boolean {
    return this.status === 410;
  }

  /** 401/403 or no credentials: an operator must act; retrying alone will not help. */
  get denied(): boolean {
    return this.status === 401 || this.status === 403 || this.failure === 'credentials';
  }
}
