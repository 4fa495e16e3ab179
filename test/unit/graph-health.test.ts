import { afterEach, describe, expect, it } from 'vitest';
import { ServiceUnavailableError } from '../../src/errors.js';
import {
  createGraphHealth,
  type GraphDownReason,
  type GraphHealth,
} from '../../src/graph/graph-health.js';
import { createLogger } from '../../src/logger.js';

/**
 * The Neo4j health tracker: while Neo4j is down an API call is refused at once, a call in flight
 * answers as soon as Neo4j is found down, background work waits and resumes, and a probe with
 * back-off brings it back. The probe is a fake the test controls; the timings are real but short.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const never = () => new Promise<never>(() => undefined);
const unavailable = () => new ServiceUnavailableError('neo4j');

let health: GraphHealth | undefined;
afterEach(() => health?.close());

function tracker(probe: () => Promise<GraphDownReason | undefined>) {
  health = createGraphHealth({
    probe,
    logger: createLogger('silent'),
    suspectAfterMs: 20,
    minBackoffMs: 10,
    maxBackoffMs: 40,
  });
  return health;
}

describe('graph health', () => {
  it('refuses API calls at once while down, without running them, and names the reason', async () => {
    let answers: GraphDownReason | undefined = 'unreachable';
    let probes = 0;
    const h = tracker(async () => {
      probes += 1;
      return answers;
    });
    await expect(h.guard(() => Promise.reject(unavailable()))).rejects.toBeInstanceOf(
      ServiceUnavailableError,
    );
    expect(h.state()).toBe('down: unreachable');
    let ran = false;
    await expect(
      h.guard(async () => {
        ran = true;
        return 1;
      }),
    ).rejects.toMatchObject({ statusCode: 503, retryAfterSeconds: 1 });
    expect(ran).toBe(false);
    // The back-off probe brings it back.
    answers = undefined;
    const probesWhileDown = probes;
    for (let i = 0; i < 50 && !h.isUp(); i++) await sleep(10);
    expect(h.state()).toBe('ok');
    expect(probes).toBeGreaterThan(probesWhileDown);
    await expect(h.guard(async () => 'answered')).resolves.toBe('answered');
  });

  it('answers a call that hangs as soon as a probe finds Neo4j not answering', async () => {
    const h = tracker(async () => 'timeout');
    const started = Date.now();
    await expect(h.guard(never)).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(h.state()).toBe('down: timeout');
  });

  it('does not take one late probe for an outage: a second probe that answers keeps Neo4j up', async () => {
    let probes = 0;
    const h = tracker(async () => (++probes === 1 ? 'timeout' : undefined));
    await expect(h.guard(() => sleep(80).then(() => 'slow but fine'))).resolves.toBe(
      'slow but fine',
    );
    expect(probes).toBe(2);
    expect(h.isUp()).toBe(true);
  });

  it('lets a slow call finish when the probe answers', async () => {
    const h = tracker(async () => undefined);
    await expect(h.guard(() => sleep(80).then(() => 'slow but fine'))).resolves.toBe(
      'slow but fine',
    );
    expect(h.isUp()).toBe(true);
  });

  it('runs a call again once when a lost connection was passing (the probe answers)', async () => {
    const h = tracker(async () => undefined);
    let attempts = 0;
    const result = await h.guard(async () => {
      attempts += 1;
      if (attempts === 1) throw unavailable();
      return 'second attempt';
    });
    expect(result).toBe('second attempt');
    expect(h.isUp()).toBe(true);
  });

  it('makes background work wait out an outage and run again, however long it lasts', async () => {
    let answers: GraphDownReason | undefined = 'unreachable';
    const h = tracker(async () => answers);
    let attempts = 0;
    const work = h.untilDone(async () => {
      attempts += 1;
      if (answers !== undefined) throw unavailable();
      return 'applied';
    });
    await sleep(200);
    expect(h.isUp()).toBe(false);
    const attemptsWhileDown = attempts;
    answers = undefined;
    await expect(work).resolves.toBe('applied');
    // One attempt failed, then it waited (no attempt per probe), then one ran.
    expect(attemptsWhileDown).toBe(1);
    expect(attempts).toBe(2);
  });

  it('passes other errors through, and stops waiting when closed', async () => {
    const h = tracker(async () => 'unreachable');
    await expect(h.untilDone(() => Promise.reject(new TypeError('bug')))).rejects.toBeInstanceOf(
      TypeError,
    );
    const work = h.untilDone(() => Promise.reject(unavailable()));
    await sleep(50);
    h.close();
    await expect(work).rejects.toBeInstanceOf(ServiceUnavailableError);
  });
});
