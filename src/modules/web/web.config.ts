import { ENGINE_URLS, Inject, Injectable, type EngineUrls } from '#framework';
import { AppConfig } from '../../app.config';
import type { PageConfig } from './page';

/** The iii engine's default stream port, for an engine that does not say where its streams are. */
const DEFAULT_STREAM_PORT = 3112;

/**
 * Where the page should connect for live updates. The one source is the application's
 * `ENGINE_URLS.stream` (the embedded engine's listener, ephemeral in tests, or what the app was
 * told about an external engine): the page pairs its port with its own hostname. An engine that
 * does not say falls back to the configured `III_STREAM_PORT`, then the iii default.
 */
@Injectable()
export class WebConfig {
  private readonly streamPort: number;
  private streamUrl: string | null = null;

  constructor(@Inject(ENGINE_URLS) urls: EngineUrls, config: AppConfig) {
    this.streamPort = portOf(urls.stream) ?? config.III_STREAM_PORT ?? DEFAULT_STREAM_PORT;
  }

  /** A full URL for the page to use as is, when the stream listener is on another host. */
  usePublicStreamUrl(url: string): void {
    this.streamUrl = url;
  }

  pageConfig(): PageConfig {
    return { streamPort: this.streamPort, streamUrl: this.streamUrl };
  }
}

/** The port of a `ws://host:port` URL; undefined for anything unparsable or without one. */
function portOf(url: string | undefined): number | undefined {
  if (url === undefined) return undefined;
  let port: string;
  try {
    port = new URL(url).port;
  } catch {
    return undefined;
  }
  if (!/^\d+$/.test(port)) return undefined;
  const n = Number(port);
  return n > 0 && n < 65536 ? n : undefined;
}
