import { specProblems, withDefaults } from '../src/index.js';
import { celViolations, validSpec } from './invalid-specs.js';

describe('specProblems (the TypeScript side of the CRD’s CEL rules)', () => {
  it('finds nothing wrong with a valid spec', () => {
    expect(specProblems(withDefaults(validSpec))).toEqual([]);
  });

  it.each(celViolations)('reports %s with the CEL rule’s message', (_name, spec, message) => {
    const problems = specProblems(withDefaults(spec));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
    expect(problems[0]).toMatch(/^spec(\.queue)?(\.\w+)?: /);
  });
});
