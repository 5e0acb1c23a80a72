import { controlPlaneAvailability } from './binaries.js';
import { ControlPlane, type ControlPlaneOptions } from './control-plane.js';
import { ControlPlaneError, HarnessReason } from './errors.js';

/** Time beforeAll gets to start etcd, kube-apiserver and kube-controller-manager. */
export const CONTROL_PLANE_START_TIMEOUT_MS = 180_000;

/**
 * `describe` for suites that need the real control plane. When the binaries are missing it
 * FAILS under CI (with the command that fixes it) and skips only locally, saying why, so a
 * green CI never hides a suite that did not run.
 */
export function describeWithControlPlane(name: string, body: () => void): void {
  const availability = controlPlaneAvailability();
  if (availability.available) {
    describe(name, body);
    return;
  }
  if (isCi()) {
    describe(name, () => {
      it('has the Kubernetes control-plane binaries built', () => {
        throw new ControlPlaneError(HarnessReason.BinariesMissing, availability.reason);
      });
    });
    return;
  }
  console.warn(`Skipping "${name}": ${availability.reason}`);
  describe.skip(name, body);
}

/**
 * Starts one control plane for the enclosing describe block (beforeAll) and stops it
 * (afterAll). Returns an accessor, because the plane exists only once beforeAll has run.
 */
export function useControlPlane(options?: ControlPlaneOptions): () => ControlPlane {
  let plane: ControlPlane | undefined;
  beforeAll(async () => {
    plane = await ControlPlane.start(options);
  }, CONTROL_PLANE_START_TIMEOUT_MS);
  afterAll(async () => {
    await plane?.stop();
  }, 60_000);
  return () => {
    if (!plane) throw new Error('the control plane did not start (see the beforeAll error)');
    return plane;
  };
}

function isCi(): boolean {
  const ci = process.env.CI?.toLowerCase();
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}
