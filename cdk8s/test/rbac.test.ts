import { NAMES, REDIS_SECRET } from '../src/index.js';
import { BOTH, objectsOf } from './helpers/manifests.js';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

/** Flattens rules into "group/resource:verb[name]" grants, for exact comparison. */
function grants(rules: Rule[]): string[] {
  return rules
    .flatMap((r) =>
      r.apiGroups.flatMap((g) =>
        r.resources.flatMap((res) =>
          r.verbs.map(
            (v) =>
              `${g || 'core'}/${res}:${v}${r.resourceNames ? `[${r.resourceNames.join(',')}]` : ''}`,
          ),
        ),
      ),
    )
    .sort();
}

describe.each(BOTH)('operator RBAC (%s profile)', (profile) => {
  const objects = objectsOf(profile);

  it('grants only what the operator reads and patches, in its own namespace', () => {
    const roles = objects.filter(
      (o) => (o.kind === 'Role' || o.kind === 'ClusterRole') && o.metadata.name === NAMES.operator,
    );
    expect(roles.map((r) => `${r.kind}/${r.metadata.namespace}`)).toEqual(['Role/printq']);
    expect(grants((roles[0] as unknown as { rules: Rule[] }).rules)).toEqual(
      [
        'printq.dev/queuescalers:get',
        'printq.dev/queuescalers:list',
        'printq.dev/queuescalers:watch',
        'printq.dev/queuescalers/status:patch',
        'apps/deployments:list',
        'apps/deployments:watch',
        'apps/deployments/scale:get',
        'apps/deployments/scale:patch',
        'core/events:create',
        'coordination.k8s.io/leases:create',
        `coordination.k8s.io/leases:get[${NAMES.operator}]`,
        `coordination.k8s.io/leases:update[${NAMES.operator}]`,
        `core/secrets:get[${REDIS_SECRET.name}]`,
      ].sort(),
    );
  });

  it('never grants wildcards, escalation verbs or cluster-wide Secret reads to anyone', () => {
    for (const role of objects.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole')) {
      const all = grants((role as unknown as { rules: Rule[] }).rules);
      for (const grant of all) {
        expect(grant).not.toMatch(/\*|:escalate|:bind|:impersonate/);
        if (role.kind === 'ClusterRole') expect(grant).not.toMatch(/^core\/secrets/);
      }
    }
  });

  it('binds the operator Role to the operator ServiceAccount only', () => {
    const binding = objects.find(
      (o) => o.kind === 'RoleBinding' && o.metadata.name === NAMES.operator,
    );
    expect(binding).toMatchObject({
      roleRef: { kind: 'Role', name: NAMES.operator },
      subjects: [{ kind: 'ServiceAccount', name: NAMES.operator, namespace: 'printq' }],
    });
  });
});
