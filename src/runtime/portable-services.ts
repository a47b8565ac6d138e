/** The parts of `Services` that are the same on every runtime: WebCrypto tokens, the system clock, metrics. */
import { generateToken, hashToken } from '../crypto/tokens.js';
import { createServiceMetrics } from '../metrics/service.js';
import { type Services, systemClock } from '../services.js';

export function portableServices(): Pick<Services, 'metrics' | 'clock' | 'random' | 'hashToken' | 'generateToken'> {
  return { metrics: createServiceMetrics(), clock: systemClock, random: Math.random, hashToken, generateToken };
}
