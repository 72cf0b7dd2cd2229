import { ConfigModule, Module } from '#framework';
import { AppConfig } from './app.config';
import { MetricsModule } from './modules/metrics/metrics.module';
import { TodosModule } from './modules/todos/todos.module';
import { WebModule } from './modules/web/web.module';

/** The reference todo app: REST API, live stream mirror, metrics, and a page. */
@Module({
  imports: [ConfigModule.forRoot({ schema: AppConfig }), TodosModule, MetricsModule, WebModule],
})
export class AppModule {}
