import { POD_SECURITY_LABELS } from '../src/security.js';
import { NAMES } from '../src/index.js';
import { BOTH, allContainers, objectsOf, podsOf, type PodOf } from './helpers/manifests.js';

const podName = (pod: PodOf) => `${pod.owner.kind}/${pod.owner.metadata.name}`;

describe.each(BOTH)('hardening (%s profile)', (profile) => {
  const objects = objectsOf(profile);
  const pods = podsOf(objects);

  it('synthesizes every workload the stack needs', () => {
    expect(pods.map(podName).sort()).toEqual(
      [
        `Deployment/${NAMES.app}`,
        `Deployment/${NAMES.worker}`,
        `Deployment/${NAMES.operator}`,
        `Deployment/${NAMES.ingressController}`,
        `StatefulSet/${NAMES.redis}`,
      ].sort(),
    );
  });

  it('labels every namespace Pod Security restricted (enforce)', () => {
    const namespaces = objects.filter((o) => o.kind === 'Namespace');
    expect(namespaces.map((n) => n.metadata.name).sort()).toEqual(['ingress-nginx', 'printq']);
    for (const ns of namespaces) {
      expect(ns.metadata.labels).toMatchObject(POD_SECURITY_LABELS);
      expect(ns.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    }
  });

  it('runs every pod non-root with a numeric UID and RuntimeDefault seccomp', () => {
    for (const pod of pods) {
      const context = pod.spec.securityContext ?? {};
      expect({ pod: podName(pod), ...context }).toMatchObject({
        pod: podName(pod),
        runAsNonRoot: true,
        runAsUser: expect.any(Number),
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(context.runAsUser).toBeGreaterThan(0);
    }
  });

  it('makes every container non-root, read-only, unprivileged, with ALL capabilities dropped', () => {
    for (const pod of pods) {
      for (const container of allContainers(pod)) {
        const where = `${podName(pod)}/${container.name}`;
        expect({ where, ...container.securityContext }).toMatchObject({
          where,
          runAsNonRoot: true,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          privileged: false,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        });
        expect(container.securityContext?.capabilities?.add).toBeUndefined();
        expect(Number(container.securityContext?.runAsUser)).toBeGreaterThan(0);
      }
    }
  });

  it('never uses host namespaces or host ports', () => {
    for (const pod of pods) {
      expect(pod.spec.hostNetwork).toBeUndefined();
      for (const container of allContainers(pod)) {
        for (const port of container.ports ?? []) expect(port).not.toHaveProperty('hostPort');
      }
    }
  });

  it('sets CPU and memory requests and limits on every container', () => {
    for (const pod of pods) {
      for (const container of allContainers(pod)) {
        expect(Object.keys(container.resources?.requests ?? {}).sort()).toEqual(['cpu', 'memory']);
        expect(Object.keys(container.resources?.limits ?? {}).sort()).toEqual(['cpu', 'memory']);
      }
    }
  });

  it('gives every writable path an emptyDir or volume, since the root filesystem is read-only', () => {
    for (const pod of pods) {
      const volumes = new Set((pod.spec.volumes ?? []).map((v) => v.name));
      const claims = (pod.owner.spec as { volumeClaimTemplates?: { metadata: { name: string } }[] })
        .volumeClaimTemplates;
      for (const claim of claims ?? []) volumes.add(claim.metadata.name);
      for (const container of allContainers(pod)) {
        for (const mount of container.volumeMounts ?? []) expect(volumes).toContain(mount.name);
        // Every process gets a writable /tmp (Node, Redis and nginx all use it).
        expect((container.volumeMounts ?? []).map((m) => m.mountPath)).toContain('/tmp');
      }
    }
  });

  it('mounts a service-account token only into the operator and the ingress controller', () => {
    const withToken = pods
      .filter((p) => p.spec.automountServiceAccountToken !== false)
      .map(podName);
    expect(withToken.sort()).toEqual(
      [`Deployment/${NAMES.ingressController}`, `Deployment/${NAMES.operator}`].sort(),
    );
    for (const sa of objects.filter((o) => o.kind === 'ServiceAccount')) {
      const expected = ['ingress-nginx', NAMES.operator].includes(sa.metadata.name);
      expect({ sa: sa.metadata.name, token: sa.automountServiceAccountToken }).toEqual({
        sa: sa.metadata.name,
        token: expected,
      });
    }
  });

  it('uses imagePullPolicy IfNotPresent (images loaded with kind load)', () => {
    for (const pod of pods) {
      for (const container of allContainers(pod))
        expect(container.imagePullPolicy).toBe('IfNotPresent');
    }
  });

  it('puts no Secret and no literal password in the manifests', () => {
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    // The only requirepass line is written at start-up from the mounted Secret file.
    const passwordLines = JSON.stringify(objects).match(/requirepass[^,\]}]*/g) ?? [];
    expect(passwordLines).toEqual([expect.stringContaining('requirepass \\"%s\\"')]);
    for (const pod of pods) {
      for (const container of allContainers(pod)) {
        for (const variable of container.env ?? []) {
          expect(variable.name).not.toMatch(/PASSWORD$|TOKEN$|SECRET$/);
        }
      }
    }
  });

  it('covers every workload with a PodDisruptionBudget selecting its pods', () => {
    const budgets = objects.filter((o) => o.kind === 'PodDisruptionBudget');
    for (const pod of pods) {
      const selector = (pod.owner.spec as { selector: { matchLabels: Record<string, string> } })
        .selector.matchLabels;
      const budget = budgets.find(
        (b) =>
          b.metadata.namespace === pod.owner.metadata.namespace &&
          JSON.stringify((b.spec as { selector: unknown }).selector) ===
            JSON.stringify({ matchLabels: selector }),
      );
      expect({ pod: podName(pod), budget: budget?.metadata.name }).toEqual({
        pod: podName(pod),
        budget: expect.any(String),
      });
    }
  });

  it('labels every object with app.kubernetes.io/* labels', () => {
    // The CRD's labels come from @printq/crd (name + component).
    for (const object of objects.filter((o) => o.kind !== 'CustomResourceDefinition')) {
      expect(
        `${object.kind}/${object.metadata.name}: ${object.metadata.labels?.['app.kubernetes.io/part-of']}`,
      ).toBe(`${object.kind}/${object.metadata.name}: printq`);
    }
    for (const pod of pods) {
      const template = (
        pod.owner.spec as { template: { metadata: { labels: Record<string, string> } } }
      ).template.metadata.labels;
      expect(Object.keys(template)).toEqual(
        expect.arrayContaining([
          'app.kubernetes.io/name',
          'app.kubernetes.io/instance',
          'app.kubernetes.io/component',
          'app.kubernetes.io/part-of',
        ]),
      );
    }
  });
});
