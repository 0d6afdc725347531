/** Config-error tests: the message parsing `yaml` fails with, checked to be a ConfigError. */
import t from 'tap';
import { ConfigError, parseConfig } from '../../src/config/config.js';

/** The ConfigError's message, or 'no error' when the text is accepted. */
export function configErrorOf(yaml: string): string {
  try {
    parseConfig(yaml, '/cfg/rovd.yaml');
    return 'no error';
  } catch (e) {
    t.ok(e instanceof ConfigError, 'a ConfigError');
    return (e as Error).message;
  }
}
