import { explainApplyError, parseFieldConflicts } from '../src/apply.js';
import type { CliError } from '../src/errors.js';
import { ApiError } from '../src/kube.js';

// The shape of a server-side apply 409 as kube-apiserver returns it (the e2e suite checks the
// same parsing against a real apiserver).
const conflictStatus = {
  kind: 'Status',
  reason: 'Conflict',
  message: 'Apply failed with 1 conflict: conflict with "kubectl-edit": .spec.replicas',
  details: {
    causes: [
      {
        reason: 'FieldManagerConflict',
        message: 'conflict with "kubectl-edit"',
        field: '.spec.replicas',
      },
      {
        reason: 'FieldManagerConflict',
        message: 'conflict with "helm" using apps/v1',
        field: '.spec.template.spec.containers[name="app"].image',
      },
    ],
  },
};
const object = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'printq-app', namespace: 'printq' },
};

describe('apply errors', () => {
  it('reads which manager owns which field from a 409', () => {
    expect(parseFieldConflicts(conflictStatus)).toEqual([
      { manager: 'kubectl-edit', field: '.spec.replicas', message: 'conflict with "kubectl-edit"' },
      {
        manager: 'helm',
        field: '.spec.template.spec.containers[name="app"].image',
        message: 'conflict with "helm" using apps/v1',
      },
    ]);
  });

  it('turns a 409 into FIELD_CONFLICT listing every field and owner', () => {
    const error = explainApplyError(
      new ApiError(409, conflictStatus, 'PATCH /x'),
      object,
    ) as CliError;
    expect(error.code).toBe('FIELD_CONFLICT');
    expect(error.exitCode).toBe(10);
    expect(error.message).toContain('.spec.replicas is owned by "kubectl-edit"');
    expect(error.message).toContain('.image is owned by "helm"');
  });

  it('turns a 422 into APPLY_REJECTED with the server message and a 403 into UNAUTHORIZED', () => {
    const invalid = explainApplyError(
      new ApiError(422, { message: 'spec.selector: Required value' }, 'PATCH /x'),
      object,
    ) as CliError;
    expect(invalid.code).toBe('APPLY_REJECTED');
    expect(invalid.message).toBe(
      'the cluster rejected Deployment printq/printq-app: spec.selector: Required value',
    );
    expect(
      (
        explainApplyError(
          new ApiError(403, { message: 'forbidden' }, 'PATCH /x'),
          object,
        ) as CliError
      ).code,
    ).toBe('UNAUTHORIZED');
  });

  it('passes non-API errors through unchanged', () => {
    const error = new Error('boom');
    expect(explainApplyError(error, object)).toBe(error);
  });
});
