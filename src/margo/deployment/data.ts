/**
 * The data a deployment is made of, as it will be written: YAML-ready values where a double
 * keeps the digits the End User typed (A-23b: `1.50` stays `1.50`, so a re-read value
 * re-validates identically). Containers use null prototypes so that keys such as `__proto__`
 * coming from pointers are ordinary keys.
 */
import type { TypedValue, Value } from '../model.js';

/** A number written with given digits (`1.50`); `value` is its numeric value. */
export class Decimal {
  constructor(
    readonly value: number,
    readonly text: string,
  ) {}

  toJSON(): number {
    return this.value;
  }
}

export type Data = string | number | boolean | null | Decimal | Data[] | DataMap;
export interface DataMap {
  [key: string]: Data;
}

export function emptyMap(): DataMap {
  return Object.create(null) as DataMap;
}

/** A plain decimal literal with a fraction: what keeps its digits. Integers are written as integers. */
const DECIMAL_TEXT = /^([+-]?)(\d+)\.(\d+)$/;

/** Canonical text for a typed double: no `+`, no leading zeros, the typed fraction digits. */
function decimalText(text: string): string | null {
  const match = DECIMAL_TEXT.exec(text.trim());
  if (!match) return null;
  const [, sign, whole, fraction] = match as unknown as [string, string, string, string];
  const integer = whole.replace(/^0+(?=\d)/, '');
  return `${sign === '-' ? '-' : ''}${integer}.${fraction}`;
}

function scalarData(value: Value, text: string | undefined): Data {
  if (typeof value === 'number' && text !== undefined) {
    const digits = decimalText(text);
    if (digits !== null && Number(digits) === value) return new Decimal(value, digits);
  }
  if (Array.isArray(value)) return value.map((item) => scalarData(item, undefined));
  return value;
}

export function fromTypedValue(typed: TypedValue): Data {
  return scalarData(typed.value, typed.text);
}

/** The text of a scalar as it appears in the ApplicationDeployment (used by env files). */
export function scalarText(data: Data): string | null {
  if (typeof data === 'string') return data;
  if (typeof data === 'boolean') return data ? 'true' : 'false';
  if (typeof data === 'number') return String(data);
  if (data instanceof Decimal) return data.text;
  return null;
}
