import { Injectable } from '../../framework';
import type { PageConfig } from './page';

/**
 * Where the page should connect for live updates. The stream port is only known once the engine
 * is up (ephemeral in tests), so bootstrap fills this in from `app.urls.stream`; before that, or
 * when connected to an external engine, it falls back to `III_STREAM_PORT` (default 3112).
 */
@Injectable()
export class WebConfig {
  private streamPort: number | null = portOf(process.env.III_STREAM_PORT) ?? 3112;
  private streamUrl: string | null = null;

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
