/**
 * The one argument parser of every command: `--name value`, `--name=value`, boolean flags, `--`
 * before positionals that start with a dash. Unknown options, a missing value and a repeated
 * single-valued option are usage errors with the nearest known option suggested.
 */
import { nearestWord } from '../margo/nearest.js';

export interface OptionSpec {
  type: 'boolean' | 'string';
  /** A string option that may be given several times (`--registry a --registry b`). */
  multiple?: boolean;
}

export type OptionSpecs = Record<string, OptionSpec>;

type OptionValue<S extends OptionSpec> = S['type'] extends 'boolean'
  ? boolean
  : S['multiple'] extends true
    ? string[]
    : string | undefined;

export interface ParsedArguments<S extends OptionSpecs> {
  options: { [K in keyof S]: OptionValue<S[K]> };
  positionals: string[];
}

/** A command-line mistake: exit code 2 and the command's usage line. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseArguments<S extends OptionSpecs>(args: readonly string[], specs: S): ParsedArguments<S> {
  const options: Record<string, boolean | string | string[] | undefined> = {};
  for (const [name, spec] of Object.entries(specs)) {
    options[name] = spec.type === 'boolean' ? false : spec.multiple ? [] : undefined;
  }
  const positionals: string[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const equals = arg.indexOf('=');
    const name = arg.slice(arg.startsWith('--') ? 2 : 1, equals < 0 ? undefined : equals);
    const spec = specs[name];
    if (!spec || !arg.startsWith('--')) {
      const suggestion = nearestWord(name, Object.keys(specs));
      throw new UsageError(`unknown option '${arg}'${suggestion ? `; did you mean --${suggestion}?` : ''}`);
    }
    if (spec.type === 'boolean') {
      if (equals >= 0) throw new UsageError(`--${name} takes no value`);
      options[name] = true;
      continue;
    }
    let value: string | undefined;
    if (equals >= 0) value = arg.slice(equals + 1);
    else {
      value = args[i + 1];
      if (value === undefined || (value.startsWith('--') && value.length > 2)) {
        throw new UsageError(`--${name} needs a value`);
      }
      i++;
    }
    if (spec.multiple) (options[name] as string[]).push(value);
    else if (seen.has(name)) throw new UsageError(`--${name} is given more than once; give it once`);
    else options[name] = value;
    seen.add(name);
  }
  return { options, positionals } as ParsedArguments<S>;
}

/** Checks the number of positionals, naming what is expected. */
export function expectPositionals(positionals: readonly string[], min: number, max: number, what: string): void {
  if (positionals.length < min) throw new UsageError(`missing ${what}`);
  if (positionals.length > max) {
    throw new UsageError(
      `unexpected argument${positionals.length - max > 1 ? 's' : ''} ${positionals.slice(max).join(' ')}`,
    );
  }
}
