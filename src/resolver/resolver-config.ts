import type { Config } from '../config.js';
import { createIdentifierRegistry } from './identifier-types.js';
import { defaultMergeLimits } from './resolver-service.js';

/**
 * The resolver's settings derived from the parsed config, shared by the service and the CLI so
 * both normalise identifiers and apply merge limits the same way.
 */

export function mergeLimits(config: Config): Record<string, number> {
  return { ...defaultMergeLimits, ...(config.MERGE_LIMITS ?? {}) };
}

export function identifierRegistry(config: Config) {
  return createIdentifierRegistry({
    defaultPhoneRegion: config.DEFAULT_PHONE_REGION,
    removeGmailDots: config.EMAIL_REMOVE_GMAIL_DOTS,
    removePlusTags: config.EMAIL_REMOVE_PLUS_TAGS,
    customTypes: config.IDENTIFIER_TYPES,
    extraBlocklist: config.IDENTIFIER_BLOCKLIST,
  });
}
