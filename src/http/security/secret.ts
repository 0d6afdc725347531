/**
 * A secret (a SigV4 secret access key, a bearer token) that does not leak
 * by accident: JSON.stringify, util.inspect, template strings and pino all
 * print `[redacted]`. Only `reveal()` gives the value, and only the code
 * that signs or compares calls it.
 */
import { inspect } from 'node:util';

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
    Object.freeze(this);
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return '[redacted]';
  }

  toJSON(): string {
    return '[redacted]';
  }

  [inspect.custom](): string {
    return 'Secret([redacted])';
  }
}
