import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-33';
import { PART_OF, type BuildContext } from '../context.js';
import { POD_SECURITY_LABELS } from '../security.js';

/** The namespaces printq creates, each enforcing Pod Security `restricted`. */
export class Namespaces extends Construct {
  constructor(scope: Construct, id: string, ctx: BuildContext) {
    super(scope, id);
    const { namespace, ingressNamespace } = ctx.settings;
    for (const name of [namespace, ingressNamespace]) {
      new k8s.KubeNamespace(this, name, {
        metadata: {
          name,
          labels: { ...POD_SECURITY_LABELS, 'app.kubernetes.io/part-of': PART_OF },
        },
      });
    }
  }
}
