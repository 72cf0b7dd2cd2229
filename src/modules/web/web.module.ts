import { Module } from '#framework';
import { WebConfig } from './web.config';
import { WebController } from './web.controller';

@Module({
  controllers: [WebController],
  providers: [WebConfig],
  exports: [WebConfig],
})
export class WebModule {}
