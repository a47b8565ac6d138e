/** A CLI command: parses its arguments with args.ts and returns the exit code of exit.ts (or throws). */
export { EXIT_INVALID, EXIT_OK, EXIT_USAGE } from './exit.js';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
  env: Record<string, string | undefined>;
}

export interface Command {
  name: string;
  summary: string;
  /** Full `--help` text; its first line is the synopsis. */
  help: string;
  run(args: string[], io: CliIo): Promise<number>;
}
