// Every failure the user can act on is a KubectlDaskError: its message's first line says what
// happened and what to do, and its exit code is documented in the README. Anything else that
// escapes is a bug and is reported as one by the top-level handler.

export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  notFound: 3,
  conflict: 4,
  timeout: 5,
  unreachable: 6,
  forbidden: 7,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class KubectlDaskError extends Error {
  readonly exitCode: ExitCode;
  /** Extra lines shown after the message (for example which pods are not Ready). */
  readonly details: string[];
  constructor(message: string, exitCode: ExitCode = ExitCode.failure, details: string[] = []) {
    super(message);
    this.name = 'KubectlDaskError';
    this.exitCode = exitCode;
    this.details = details;
  }
}

/** An end that is no failure to report but has its exit code, such as a follow stopped with Ctrl-C. */
export class QuietExit extends KubectlDaskError {
  constructor(exitCode: ExitCode) {
    super('', exitCode);
    this.name = 'QuietExit';
  }
}

/** Bad flags or arguments: the top-level handler adds a pointer to --help. */
export class UsageError extends KubectlDaskError {
  constructor(message: string) {
    super(message, ExitCode.usage);
    this.name = 'UsageError';
  }
}

/** Ctrl-C: what was applied stays, and every command converges when run again, unless where it
 * stopped says otherwise. */
export function interrupted(where = 'stopped before finishing; run the same command again to continue'): KubectlDaskError {
  return new KubectlDaskError(`interrupted: ${where}`, ExitCode.interrupted);
}
