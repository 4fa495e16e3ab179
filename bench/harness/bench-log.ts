/** A benchmark's progress line, on stderr: stdout holds only the report. */
export const benchLog = (message: string) => process.stderr.write(`[bench] ${message}\n`);
