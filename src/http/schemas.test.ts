import { describe, expect, it } from 'vitest';
import { errorCodes } from '../errors.js';
import { errorSchema } from './schemas.js';

describe('errorSchema', () => {
  it('lists every error code as an enum, so the OpenAPI document names them', () => {
    expect(errorSchema.shape.error.shape.code.options).toEqual(errorCodes);
    expect(errorSchema.safeParse({ error: { code: 'NOT_FOUND', message: 'x' } }).success).toBe(true);
    expect(errorSchema.safeParse({ error: { code: 'NO_SUCH_CODE', message: 'x' } }).success).toBe(false);
  });
});
