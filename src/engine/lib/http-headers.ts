import { validateHeaderName, validateHeaderValue } from 'node:http';

/** Whether Node would send this header (a name and value it does not refuse). */
export function isValidHeader(name: string, value: string): boolean {
  try {
    validateHeaderName(name);
    validateHeaderValue(name, value);
    return true;
  } catch {
    return false;
  }
}
