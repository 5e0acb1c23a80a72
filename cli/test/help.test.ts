import { COMMAND_OPTIONS } from '../src/args.js';
import { ERRORS } from '../src/errors.js';
import { commandHelp, globalHelp } from '../src/help.js';

describe('help texts', () => {
  it('lists every catalogued exit code in the global help', () => {
    const help = globalHelp();
    for (const [code, entry] of Object.entries(ERRORS)) {
      expect(help).toMatch(new RegExp(`^  ${entry.exitCode} +${code}: `, 'm'));
    }
  });

  it('gives status its own usage, only the cluster options and an example', () => {
    const help = commandHelp('status');
    expect(help).toMatch(/^Usage: printq status \[options\]/);
    expect(help).toContain('--context NAME');
    expect(help).not.toContain('--set');
    expect(help).toMatch(/Example:\n {2}printq status/);
    expect(help).toContain('Exit codes: printq help lists them');
  });

  it('documents every option each command accepts in that command help', () => {
    for (const [command, options] of Object.entries(COMMAND_OPTIONS)) {
      if (command === 'help') continue;
      const help = commandHelp(command as Exclude<keyof typeof COMMAND_OPTIONS, 'help'>);
      for (const option of options.filter((name) => name !== 'wait')) {
        expect(help).toContain(`--${option}`);
      }
    }
  });
});
