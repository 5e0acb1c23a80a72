import { stringify } from 'yaml';
import {
  GROUP,
  KIND,
  PLURAL,
  SHORT_NAMES,
  SINGULAR,
  VERSION,
  queueScalerSpecSchema,
  queueScalerStatusSchema,
} from './queuescaler.js';
import type { OpenApiSchema } from './schema.js';

export const CRD_NAME = `${PLURAL}.${GROUP}`;

/** Columns of `kubectl get queuescalers`, modelled on `kubectl get hpa`. */
const printerColumns = [
  { name: 'Target', type: 'string', jsonPath: '.spec.scaleTargetRef.name' },
  { name: 'Queue', type: 'string', jsonPath: '.spec.queue.name', priority: 1 },
  { name: 'Min', type: 'integer', jsonPath: '.spec.minReplicas' },
  { name: 'Max', type: 'integer', jsonPath: '.spec.maxReplicas' },
  { name: 'Depth', type: 'integer', jsonPath: '.status.queueDepth' },
  { name: 'Active Jobs', type: 'integer', jsonPath: '.status.activeJobs', priority: 1 },
  { name: 'Desired', type: 'integer', jsonPath: '.status.desiredReplicas' },
  { name: 'Current', type: 'integer', jsonPath: '.status.currentReplicas' },
  { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
  {
    name: 'Reason',
    type: 'string',
    jsonPath: '.status.conditions[?(@.type=="Ready")].reason',
    priority: 1,
  },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
];

const rootSchema: OpenApiSchema = {
  type: 'object',
  description:
    'QueueScaler scales a Deployment on the depth of a BullMQ or Redis list queue, ' +
    'polling every second by default.',
  required: ['spec'],
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    spec: queueScalerSpecSchema.openapi,
    status: queueScalerStatusSchema.openapi,
  },
};

/**
 * The CustomResourceDefinition as a plain object (apiextensions.k8s.io/v1).
 *
 * The scale subresource maps `kubectl scale qs/<name> --replicas=N` onto `spec.minReplicas`
 * (the floor; the operator still scales above it on depth) and reports the target's current
 * replicas and selector, so tools that read `/scale` see what the scaler drives.
 */
export function crdManifest(): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: CRD_NAME,
      labels: { 'app.kubernetes.io/name': 'printq', 'app.kubernetes.io/component': 'operator' },
    },
    spec: {
      group: GROUP,
      scope: 'Namespaced',
      names: {
        kind: KIND,
        listKind: `${KIND}List`,
        plural: PLURAL,
        singular: SINGULAR,
        shortNames: [...SHORT_NAMES],
        categories: ['printq'],
      },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          schema: { openAPIV3Schema: structuredClone(rootSchema) },
          subresources: {
            status: {},
            scale: {
              specReplicasPath: '.spec.minReplicas',
              statusReplicasPath: '.status.currentReplicas',
              labelSelectorPath: '.status.selector',
            },
          },
          additionalPrinterColumns: printerColumns,
        },
      ],
    },
  };
}

const HEADER =
  '# Generated from packages/crd/src (npm run crd -w @printq/crd). Do not edit by hand.\n';

/** The CRD as the YAML committed in `packages/crd/queuescaler.crd.yaml`. */
export function crdYaml(): string {
  return HEADER + stringify(crdManifest(), { lineWidth: 0, singleQuote: true });
}
