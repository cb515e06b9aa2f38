/** Bad input the user can fix: names the file and the problem; the CLI prints it on one line and exits 2. */
export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'InputError';
  }
}

/** The caller's AbortSignal stopped the analysis (Ctrl-C, the UI's cancel). */
export class AnalysisCancelled extends Error {
  constructor() {
    super('the analysis was cancelled');
    this.name = 'AnalysisCancelled';
  }
}
