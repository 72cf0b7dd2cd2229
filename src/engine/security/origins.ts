/**
 * Which browser pages may open the stream socket: those on the allow-list (`III_CORS_ORIGINS`
 * in `npm start`), and the app's own page, served by this engine's REST listener.
 */
import { isLoopbackHost } from './worker-token';

export class OriginPolicy {
  private readonly allowed: ReadonlySet<string>;
  private pagePort: string | undefined;

  /** `allowed` undefined: any origin (the real engine's behaviour). */
  constructor(allowed: readonly string[] | undefined) {
    this.allowed = new Set(allowed ?? ['*']);
  }

  /** The REST listener's URL: pages it serves count as the app's own. */
  trustPagesOf(httpUrl: string): void {
    this.pagePort = new URL(httpUrl).port;
  }

  /**
   * Whether a handshake may proceed. No `Origin` means no browser (CLI tools, servers); a browser
   * page must be listed, or be the app's page on the host the browser used for this socket.
   */
  allows(origin: string | undefined, hostHeader: string | undefined): boolean {
    if (origin === undefined || this.allowed.has('*') || this.allowed.has(origin)) return true;
    if (this.pagePort === undefined || hostHeader === undefined) return false;
    let page: URL;
    let socketHost: string;
    try {
      page = new URL(origin);
      socketHost = new URL(`http://${hostHeader}`).hostname;
    } catch {
      return false;
    }
    if (page.protocol !== 'http:' && page.protocol !== 'https:') return false;
    const pagePort = page.port === '' ? (page.protocol === 'https:' ? '443' : '80') : page.port;
    if (pagePort !== this.pagePort) return false;
    return page.hostname === socketHost || (isLoopbackHost(page.hostname) && isLoopbackHost(socketHost));
  }
}
