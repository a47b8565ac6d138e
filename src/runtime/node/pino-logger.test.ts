import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createPinoLogger } from './pino-logger.js';

describe('createPinoLogger', () => {
  it('redacts secret fields of registries, also one level down', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, callback) {
        lines.push(String(chunk));
        callback();
      },
    });
    const logger = createPinoLogger('info', destination);
    logger.info(
      { clientKey: 'KEY', webhookSecret: 'HOOK', settings: { clientKey: 'KEY', password: 'PW', name: 'acme' } },
      'registry',
    );
    const text = lines.join('');
    for (const secret of ['KEY', 'HOOK', 'PW']) expect(text).not.toContain(secret);
    expect(text).toContain('acme');
  });
});
