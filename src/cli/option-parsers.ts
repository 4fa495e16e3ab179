import { InvalidArgumentError } from 'commander';

/**
 * Commander option parsers shared by the commands. A value out of range is a usage error: commander
 * prints `option '--x <n>' argument 'y' is invalid. <message>` and the CLI exits with 2.
 */

export const integer = (min: number, max: number) => (raw: string) => {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(`an integer from ${min} to ${max}`);
  }
  return value;
};

export const seconds = (raw: string) => {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new InvalidArgumentError('a positive number of seconds');
  return value;
};

/** A share in (0, 1]. */
export const fraction = (raw: string) => {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || value > 1)
    throw new InvalidArgumentError('a number greater than 0 and at most 1');
  return value;
};
