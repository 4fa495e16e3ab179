/** Builds the audit console into `outDir` (dist/ui by default) and returns it. */
export function buildUi(outDir?: string): Promise<string>;
