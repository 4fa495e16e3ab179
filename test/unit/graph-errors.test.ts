import { Neo4jError } from 'neo4j-driver';
import { describe, expect, it } from 'vitest';
import { ServiceUnavailableError } from '../../src/errors.js';
import { translateGraphError } from '../../src/graph/graph-errors.js';

// As the driver's pool raises it (neo4j-driver-core, Pool.getAcquisitionTimeoutError): no code.
const driverError = (message: string, code = 'N/A') => new Neo4jError(message, code, '50N42', '');

describe('translateGraphError', () => {
  it('answers a pool acquisition timeout as Neo4j unavailable (503), not an internal error', () => {
    const error = translateGraphError(
      driverError(
        'Connection acquisition timed out in 2000 ms. Pool status: Active conn count = 8, Idle conn count = 0.',
      ),
    );
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as ServiceUnavailableError).dependency).toBe('neo4j');
  });

  it('answers a lost server as unavailable and leaves other driver errors alone', () => {
    expect(translateGraphError(driverError('gone', 'ServiceUnavailable'))).toBeInstanceOf(
      ServiceUnavailableError,
    );
    const other = driverError('Cannot pass a function as a parameter');
    expect(translateGraphError(other)).toBe(other);
  });
});
