import { lookup as lookupCallback, type LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import { EngineError } from '../../core/errors';
import type { SecurityConfig } from './config';

/**
 * Where the engine may send HTTP function calls (engine.md §11): scheme, host allowlist, and no
 * private/loopback addresses unless allowed — checked on the literal IP or on every address the
 * host name resolves to. Checked at registration and again before every call.
 */

/** Resolves a host name to its addresses (injectable for tests). */
export type Resolver = (host: string) => Promise<string[]>;

export const systemResolver: Resolver = async (host) => (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

/** Glob with `*`, `?` and `[...]` classes (`[!...]` negates), matched against the whole host. */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i += 1) {
    const char = glob[i] as string;
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else if (char === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) {
        source += '\\[';
        continue;
      }
      let body = glob.slice(i + 1, end);
      const negated = body.startsWith('!');
      if (negated) body = body.slice(1);
      source += `[${negated ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = end;
    } else source += char.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

function ipv4Parts(address: string): number[] {
  return address.split('.').map(Number);
}

function isPrivateIpv4(address: string): boolean {
  const [a = 0, b = 0, c = 0, d = 0] = ipv4Parts(address);
  return (
    a === 0 || // "this network", incl. the unspecified address
    a === 10 ||
    a === 127 ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0 && c === 2) || // documentation ranges
    (a === 198 && b === 51 && c === 100) ||
    (a === 203 && b === 0 && c === 113) ||
    (a === 255 && b === 255 && c === 255 && d === 255)
  );
}

/** Expands `::` so the first hextets can be inspected. */
function ipv6Hextets(address: string): number[] {
  const [head = '', tail] = address.split('::');
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((h) => parseInt(h, 16)));
  const front = parse(head);
  if (tail === undefined) return front;
  const back = parse(tail);
  return [...front, ...new Array<number>(Math.max(0, 8 - front.length - back.length)).fill(0), ...back];
}

function isPrivateIpv6(address: string): boolean {
  const lower = (address.split('%')[0] ?? address).toLowerCase();
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower)?.[1];
  if (dotted !== undefined) return isPrivateIpv4(dotted);
  const hextets = ipv6Hextets(lower);
  // IPv4-mapped (::ffff:a.b.c.d, which URL parsing rewrites to ::ffff:xxxx:yyyy) is judged as IPv4.
  if (hextets.length === 8 && hextets.slice(0, 5).every((h) => h === 0) && hextets[5] === 0xffff) {
    const [high = 0, low = 0] = hextets.slice(6);
    return isPrivateIpv4(`${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`);
  }
  const first = hextets[0] ?? 0;
  const allZeroBut = (last: number): boolean => hextets.slice(0, 7).every((h) => h === 0) && (hextets[7] ?? 0) === last;
  return (
    allZeroBut(0) || // unspecified
    allZeroBut(1) || // loopback
    (first & 0xfe00) === 0xfc00 || // unique local
    (first & 0xffc0) === 0xfe80 || // link local
    (first & 0xff00) === 0xff00 // multicast
  );
}

/** Loopback, private, link-local, documentation, broadcast, unspecified (v4), and the v6 equivalents. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return isPrivateIpv4(address);
  if (family === 6) return isPrivateIpv6(address);
  return false;
}

function refuse(message: string): EngineError {
  return new EngineError('url_validation_failed', message);
}

export class UrlPolicy {
  private readonly allowlist: RegExp[];
  /** Built once: the config is fixed, so every call can share one lookup function. */
  private readonly lookup: LookupFunction | undefined;

  constructor(
    private readonly security: SecurityConfig,
    private readonly resolve: Resolver = systemResolver,
  ) {
    this.allowlist = security.urlAllowlist.map((glob) => globToRegExp(glob.toLowerCase()));
    this.lookup = security.blockPrivateIps ? privateBlockingLookup : undefined;
  }

  /** Resolves when `url` may be called; rejects with `url_validation_failed` naming the reason. */
  async check(url: string): Promise<URL> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw refuse(`Invalid URL: ${url}`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw refuse(`Invalid URL: unsupported scheme ${parsed.protocol}`);
    if (this.security.requireHttps && parsed.protocol !== 'https:') throw refuse('HTTPS is required');
    const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
    if (host === '') throw refuse(`Invalid URL: ${url}`);
    if (!this.allowlist.some((pattern) => pattern.test(host))) throw refuse(`URL not in allowlist: ${host}`);
    if (this.security.blockPrivateIps && (await this.isPrivateHost(host))) throw refuse(`Private IP blocked: ${host}`);
    return parsed;
  }

  /**
   * A socket `lookup` that refuses private addresses, so a name that re-resolves to one between
   * the check and the connect (DNS rebinding) still cannot be reached. Undefined when allowed.
   */
  connectLookup(): LookupFunction | undefined {
    return this.lookup;
  }

  private async isPrivateHost(host: string): Promise<boolean> {
    if (isIP(host) !== 0) return isPrivateAddress(host);
    let addresses: string[];
    try {
      addresses = await this.resolve(host);
    } catch {
      throw refuse(`DNS lookup failed: ${host}`);
    }
    if (addresses.length === 0) throw refuse(`DNS lookup failed: ${host}`);
    return addresses.some(isPrivateAddress);
  }
}

/** A socket `lookup` that fails with `EPRIVATEADDRESS` when any resolved address is private. */
const privateBlockingLookup: LookupFunction = (hostname, options, callback) => {
  lookupCallback(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
    if (err !== null) return callback(err, []);
    const first = addresses[0];
    if (first === undefined || addresses.some((entry) => isPrivateAddress(entry.address))) {
      const error: NodeJS.ErrnoException = new Error(`Private IP blocked: ${hostname}`);
      error.code = 'EPRIVATEADDRESS';
      return callback(error, []);
    }
    if (options.all === true) callback(null, addresses);
    else callback(null, first.address, first.family);
  });
};
