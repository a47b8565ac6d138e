/** A CLI command: parses its own arguments and returns the exit code (0 ok, 1 invalid input, 2 usage). */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
  env: Record<string, string | undefined>;
}

export interface Command {
  name: string;
  summary: string;
  /** Full `--help` text. */
  help: string;
  run(args: string[], io: CliIo): Promise<number>;
}

export const EXIT_OK = 0;
export const EXIT_INVALID = 1;
export const EXIT_USAGE = 2;
