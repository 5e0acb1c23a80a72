/**
 * Why the control-plane harness could not give a test a cluster. One catalog, so test output
 * and CI logs name the same reasons.
 */
export const HarnessReason = {
  /** The binaries were never built on this machine (permanent until build.sh runs). */
  BinariesMissing: 'BinariesMissing',
  /** A tool the harness shells out to (openssl, setpriv) is not installed. */
  ToolMissing: 'ToolMissing',
  /** etcd, kube-apiserver or kube-controller-manager exited or never became ready. */
  ComponentFailed: 'ComponentFailed',
  /** The apiserver refused a request the harness itself needed (e.g. TokenRequest). */
  RequestFailed: 'RequestFailed',
} as const;
export type HarnessReason = (typeof HarnessReason)[keyof typeof HarnessReason];

/** The one command that fixes a missing control plane; CI output must show it verbatim. */
export const BUILD_HINT = 'run test/harness/build.sh';

export class ControlPlaneError extends Error {
  override readonly name = 'ControlPlaneError';

  constructor(
    readonly reason: HarnessReason,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
