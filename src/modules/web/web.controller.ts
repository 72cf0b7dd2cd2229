import { Controller, Get, HttpResult } from '#framework';
import { streamClientScript } from './client-script';
import { CLIENT_SCRIPT_PATH, renderIndexPage } from './page';
import { WebConfig } from './web.config';

/** The page at `GET /` and the stream client script it loads, served by the app itself. */
@Controller()
export class WebController {
  constructor(private readonly config: WebConfig) {}

  @Get('', { functionId: 'web::index' })
  index(): HttpResult<string> {
    return new HttpResult(200, renderIndexPage(this.config.pageConfig()), {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-cache',
    });
  }

  @Get(CLIENT_SCRIPT_PATH, { functionId: 'web::stream-client' })
  streamClient(): HttpResult<string> {
    return new HttpResult(200, streamClientScript(), {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'no-cache',
    });
  }
}
