import { ENGINE_URLS, Inject, Injectable, type EngineUrls } from '../../framework';
import type { PageConfig } from './page';

/**
 * Where the page should connect for live updates: the port of the engine's stream listener
 * (ephemeral in tests), or, when connected to an external engine that does not say,
 * `III_STREAM_PORT` (default 3112). The page keeps its own hostname.
 */
@Injectable()
export class WebConfig {
  private streamPort: number | null = portOf(process.env.III_STREAM_PORT) ?? 3112;
  private streamUrl: string | null = null;

  constructor(@Inject(ENGINE_URLS) urls: EngineUrls) {
    if (urls.stream !== undefined) this.useStreamUrl(urls.stream);
  }

  /** Accepts the engine's stream URL (`ws://0.0.0.0:3112`): the page keeps its own hostname. */
  useStreamUrl(url: string): void {
    const port = portOf(safeUrl(url)?.port);
    if (port !== undefined) this.streamPort = port;
  }

  /** A full URL for the page to use as is, when the stream listener is on another host. */
  usePublicStreamUrl(url: string): void {
    this.streamUrl = url;
  }

  pageConfig(): PageConfig {
    return { streamPort: this.streamPort, streamUrl: this.streamUrl };
  }
}

function portOf(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  const port = Number(value);
  return port > 0 && port < 65536 ? port : undefined;
}

function safeUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}
