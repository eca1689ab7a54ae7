/**
 * Command-line options described as data: each option's name, whether it takes a value,
 * and how to check it. One generic parser reads argv against the table; every mistake is a
 * one-line message (the CLI prints it and exits with code 2).
 */

export interface OptionSpec {
  readonly name: string; // long name without dashes
  readonly short?: string;
  readonly kind: 'flag' | 'string' | 'int';
  readonly min?: number;
  readonly help: string;
}

export interface ParsedArgs {
  readonly options: { [name: string]: string | number | boolean };
  readonly positional: readonly string[];
}

export class UsageError extends Error {}

export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[]): ParsedArgs {
  const options: { [name: string]: string | number | boolean } = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') ? arg.slice(2, eq > 0 ? eq : undefined) : arg.slice(1);
    const spec = specs.find((s) => (arg.startsWith('--') ? s.name === name : s.short === name));
    if (!spec) throw new UsageError(`unknown option '${eq > 0 ? arg.slice(0, eq) : arg}'`);
    if (spec.kind === 'flag') {
      if (eq > 0) throw new UsageError(`option '--${spec.name}' takes no value`);
      options[spec.name] = true;
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`option '--${spec.name}' needs a value`);
    if (spec.kind === 'int') {
      const n = /^\d+$/.test(value) ? Number(value) : NaN;
      if (!Number.isSafeInteger(n) || n < (spec.min ?? 0)) {
        throw new UsageError(`option '--${spec.name}' needs a whole number${spec.min ? ` >= ${spec.min}` : ''}, not '${value}'`);
      }
      options[spec.name] = n;
    } else {
      options[spec.name] = value;
    }
  }
  return { options, positional };
}

export function optionHelp(specs: readonly OptionSpec[]): string {
  return specs
    .map((s) => {
      const left = `  ${s.short ? `-${s.short}, ` : ''}--${s.name}${s.kind === 'flag' ? '' : ' <' + s.kind + '>'}`;
      return `${left.padEnd(30)} ${s.help}`;
    })
    .join('\n');
}
