import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { clusterQueuePrefix, parseRedisUrl, redactRedisUrl } from '../../src/ingest/redis-url.js';

describe('parseRedisUrl', () => {
  it('hands a single server URL to ioredis unchanged', () => {
    expect(parseRedisUrl('rediss://:pw@queue.internal:6380/2')).toEqual({
      kind: 'server',
      url: 'rediss://:pw@queue.internal:6380/2',
    });
  });

  it('reads a cluster URL: seed nodes, credentials (percent-decoded) and TLS', () => {
    expect(
      parseRedisUrl('rediss+cluster://app:p%40ss@10.0.0.1:7000, redis-b:7001,[::1]:7002,redis-c'),
    ).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: 'redis-b', port: 7001 },
        { host: '::1', port: 7002 },
        { host: 'redis-c', port: 6379 },
      ],
      username: 'app',
      password: 'p@ss',
      tls: true,
    });
    expect(parseRedisUrl('redis+cluster://:secret@127.0.0.1:7000/')).toMatchObject({
      username: undefined,
      password: 'secret',
      tls: false,
    });
  });

  it('refuses what it cannot connect to, without repeating the URL (it may hold a password)', () => {
    for (const bad of [
      'http://127.0.0.1:6379',
      'redis+cluster://',
      'redis+cluster://:hunter2@127.0.0.1:7000,',
      'redis+cluster://:hunter2@127.0.0.1:99999',
      'redis+cluster://:hunter2@127.0.0.1:7000/3',
      'redis+cluster://:hunter2@127.0.0.1:7000?tls=true',
    ]) {
      expect(() => parseRedisUrl(bad), bad).toThrow();
      try {
        parseRedisUrl(bad);
      } catch (error) {
        expect((error as Error).message).not.toContain('hunter2');
      }
    }
  });

  it('leaves credentials out of the URL it logs', () => {
    expect(redactRedisUrl('redis+cluster://u:pw@a:7000,[::1]:7001')).toBe(
      'redis+cluster://a:7000,[::1]:7001',
    );
    expect(redactRedisUrl('redis://:pw@127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
});

describe('clusterQueuePrefix', () => {
  it('makes one hash tag of a plain prefix and keeps a prefix that holds one', () => {
    expect(clusterQueuePrefix('idgraph')).toBe('{idgraph}');
    expect(clusterQueuePrefix('{idgraph}')).toBe('{idgraph}');
    expect(clusterQueuePrefix('eu:{idgraph}')).toBe('eu:{idgraph}');
  });

  it('refuses braces that form no tag (the keys of a queue would hash to different slots)', () => {
    expect(clusterQueuePrefix('{}idgraph')).toBeUndefined();
    expect(clusterQueuePrefix('id{graph')).toBeUndefined();
    expect(clusterQueuePrefix('}idgraph')).toBeUndefined();
  });
});

describe('loadConfig with a Redis Cluster', () => {
  it('keeps the plain prefix on one server, so jobs queued before an upgrade are still read', () => {
    expect(loadConfig({}).QUEUE_PREFIX).toBe('idgraph');
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).QUEUE_PREFIX).toBe('idgraph');
  });

  it('hash-tags the prefix on a cluster', () => {
    const cluster = 'redis+cluster://127.0.0.1:7000,127.0.0.1:7001';
    expect(loadConfig({ REDIS_URL: cluster }).QUEUE_PREFIX).toBe('{idgraph}');
    expect(loadConfig({ REDIS_URL: cluster, QUEUE_PREFIX: 'tenant-a' }).QUEUE_PREFIX).toBe(
      '{tenant-a}',
    );
    expect(() => loadConfig({ REDIS_URL: cluster, QUEUE_PREFIX: 'a{b' })).toThrow(ConfigError);
  });

  it('names REDIS_URL when a cluster URL does not parse', () => {
    try {
      loadConfig({ REDIS_URL: 'redis+cluster://:pw@host:port' });
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).problems.map((p) => p.key)).toEqual(['REDIS_URL']);
    }
  });
});
