import { DEFAULT_HOUSEHOLD_ATTRIBUTES } from '../../src/matching/scoring/identity-evidence.js';
import { describe, expect, it } from 'vitest';
import { ConfigError, configSchema, loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  it('applies defaults for a bare environment', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(8080);
    expect(config.HOST).toBe('127.0.0.1');
    expect(config.IDGRAPH_ROLE).toBe('all');
    expect(config.EMAIL_REMOVE_GMAIL_DOTS).toBe(false);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('lists every bad variable at once', () => {
    try {
      loadConfig({
        PORT: 'abc',
        WORKER_CONCURRENCY: '0',
        NEO4J_URI: 'http://x',
        MERGE_LIMITS: '{bad',
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const keys = (error as ConfigError).problems.map((p) => p.key).sort();
      expect(keys).toEqual(['MERGE_LIMITS', 'NEO4J_URI', 'PORT', 'WORKER_CONCURRENCY']);
      expect((error as ConfigError).message).toContain('PORT');
    }
  });

  it('keeps the review band below the auto threshold, and the blocking-key and privacy hash secrets set in production', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return [];
      } catch (error) {
        return (error as ConfigError).problems.map((p) => p.key);
      }
    };
    expect(problems({ MATCH_AUTO_THRESHOLD: '0.8', MATCH_REVIEW_THRESHOLD: '0.9' })).toEqual([
      'MATCH_REVIEW_THRESHOLD',
    ]);
    expect(problems({ MATCH_AUTO_THRESHOLD: '0.8', MATCH_REVIEW_THRESHOLD: '0.8' })).toEqual([]);
    expect(problems({ NODE_ENV: 'production' })).toEqual([
      'MATCH_KEY_SECRET',
      'PRIVACY_HASH_SECRET',
    ]);
    const secrets = {
      MATCH_KEY_SECRET: 'a-long-enough-secret-value',
      PRIVACY_HASH_SECRET: 'another-long-enough-secret',
    };
    expect(problems({ NODE_ENV: 'production', ...secrets, MATCH_KEY_SECRET: 'short' })).toEqual([
      'MATCH_KEY_SECRET',
    ]);
    expect(problems({ NODE_ENV: 'production', ...secrets, PRIVACY_HASH_SECRET: 'short' })).toEqual([
      'PRIVACY_HASH_SECRET',
    ]);
    expect(problems({ NODE_ENV: 'production', ...secrets })).toEqual([]);
  });

  it('parses booleans as words, not as JavaScript truthiness', () => {
    expect(loadConfig({ EMAIL_REMOVE_GMAIL_DOTS: 'false' }).EMAIL_REMOVE_GMAIL_DOTS).toBe(false);
    expect(loadConfig({ EMAIL_REMOVE_GMAIL_DOTS: 'true' }).EMAIL_REMOVE_GMAIL_DOTS).toBe(true);
    expect(() => loadConfig({ EMAIL_REMOVE_GMAIL_DOTS: 'maybe' })).toThrow(ConfigError);
  });

  it('parses JSON settings and treats empty strings as unset', () => {
    const config = loadConfig({ MERGE_LIMITS: '{"email":3}', PORT: '' });
    expect(config.MERGE_LIMITS).toEqual({ email: 3 });
    expect(config.PORT).toBe(8080);
  });

  it('reads the household attributes as a comma list, `none` turning the check off', () => {
    const household = (value?: string) =>
      loadConfig(value === undefined ? {} : { MATCH_HOUSEHOLD_ATTRIBUTES: value })
        .MATCH_HOUSEHOLD_ATTRIBUTES;
    expect(household()).toEqual(DEFAULT_HOUSEHOLD_ATTRIBUTES);
    expect(household()).toContain('lastName');
    expect(household(' lastName , address ,')).toEqual(['lastName', 'address']);
    expect(household('none')).toEqual([]);
  });

  it('describes every key (the README table is generated from the descriptions)', () => {
    for (const [key, schema] of Object.entries(configSchema.shape)) {
      expect(schema.description, key).toBeTruthy();
    }
  });
});
