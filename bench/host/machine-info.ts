import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { LAUNCHER_DIR } from '../../scripts/local-services.mjs';

/** The machine a result was measured on, printed and saved with every result. */
export interface MachineInfo {
  date: string;
  cpu: string;
  cores: number;
  ramGiB: number;
  node: string;
  java: string;
  neo4j: string;
}

/** `java -version` prints to stderr. The JDK on PATH is the one the local Neo4j runs on. */
function javaVersion(): string {
  const result = spawnSync(
    process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java',
    ['-version'],
    { encoding: 'utf8' },
  );
  return `${result.stderr ?? ''}${result.stdout ?? ''}`.split('\n')[0]?.trim() || 'unknown';
}

/** The Neo4j version the local launcher embeds (from its kernel jar); external servers are not asked. */
function launcherNeo4jVersion(): string {
  try {
    const jar = readdirSync(join(LAUNCHER_DIR, 'target', 'lib')).find((f) =>
      /^neo4j-kernel-\d/.test(f),
    );
    const version = jar?.match(/^neo4j-kernel-(.+)\.jar$/)?.[1];
    return version ? `${version} Community (embedded, neo4j-launcher)` : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** This machine, for a run that started at `date` against an external Neo4j or the launcher's. */
export function machineInfo(neo4j: { external: boolean }, date = new Date()): MachineInfo {
  const cpuList = cpus();
  return {
    date: date.toISOString(),
    cpu: cpuList[0]?.model.trim() ?? 'unknown',
    cores: cpuList.length,
    ramGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    java: javaVersion(),
    neo4j: neo4j.external ? 'external (NEO4J_URI)' : launcherNeo4jVersion(),
  };
}

export function describeMachine(info: MachineInfo): string {
  return [
    `date:   ${info.date}`,
    `cpu:    ${info.cpu}, ${info.cores} cores`,
    `ram:    ${info.ramGiB} GiB`,
    `node:   ${info.node}`,
    `java:   ${info.java}`,
    `neo4j:  ${info.neo4j}`,
  ].join('\n');
}
