/** One example of every trigger decorator; `triggers.test.ts` runs each of them on the embedded engine. */
import {
  Body,
  Controller,
  Cron,
  Event,
  Fn,
  Get,
  Injectable,
  Module,
  OnQueue,
  OnStateChange,
  OnStreamChange,
  OnStreamJoin,
  OnStreamLeave,
  Post,
  PubSub,
  Query,
  Queue,
  Stream,
  Subscribe,
  UseGuards,
  type CanActivate,
  type CronEvent,
  type ExecutionContext,
  type HttpRequest,
  type StateChangeEvent,
  type StreamChangeEvent,
  type StreamSubscriptionEvent,
} from '#framework';

/** What the triggers saw, for the test to read. */
@Injectable()
export class Seen {
  readonly events: string[] = [];
}

// #region http
@Controller('greetings')
export class GreetingsController {
  constructor(
    private readonly pubsub: PubSub,
    private readonly queue: Queue,
  ) {}

  @Get() // GET /greetings?name=Ada → 200 "hello Ada"
  hello(@Query('name') name = 'world'): string {
    return `hello ${name}`;
  }

  @Post('announce') // POST /greetings/announce → publishes to topic `greetings`
  async announce(@Body() body: { text: string }): Promise<{ published: true }> {
    await this.pubsub.publish('greetings', body.text);
    return { published: true };
  }

  @Post('jobs') // POST /greetings/jobs → a job on queue `default`, handled by EmailJobs.send
  async enqueue(@Body() body: { to: string }): Promise<{ queued: true }> {
    await this.queue.enqueue('emails::send', body); // onto the queue its @OnQueue names
    return { queued: true };
  }
}
// #endregion http

// #region state
@Controller('audit')
export class AuditReactions {
  constructor(private readonly seen: Seen) {}

  @OnStateChange('accounts', { events: ['state:created'] }) // only creations in scope `accounts`
  created(@Event() event: StateChangeEvent<{ owner: string }>): void {
    this.seen.events.push(`account created: ${event.key}`);
  }
}
// #endregion state

// #region stream
@Controller('chat')
export class ChatReactions {
  constructor(private readonly seen: Seen) {}

  @OnStreamChange('chat', { group: 'lobby' }) // item changes in stream `chat`, group `lobby`
  changed(@Event() event: StreamChangeEvent<{ text: string }>): void {
    this.seen.events.push(`chat ${event.event.type}: ${String(event.id)}`);
  }

  @OnStreamJoin({ stream: 'chat' }) // return false to refuse the join
  join(@Event() sub: StreamSubscriptionEvent): boolean {
    this.seen.events.push(`joined ${sub.group_id}`);
    return sub.group_id !== 'private';
  }

  @OnStreamLeave({ stream: 'chat' })
  leave(@Event() sub: StreamSubscriptionEvent): void {
    this.seen.events.push(`left ${sub.group_id}`);
  }

  // Any trigger's result can be published: here, every POST /chat/say becomes a stream item.
  @Post('say')
  @Stream<{ id: string; text: string }>('chat', { group: 'lobby', mode: 'item', id: (message) => message.id })
  say(@Body() body: { id: string; text: string }): { id: string; text: string } {
    return { id: body.id, text: body.text };
  }
}
// #endregion stream

// #region messaging
@Controller('mail')
export class EmailJobs {
  constructor(private readonly seen: Seen) {}

  @Subscribe('greetings') // every message published to topic `greetings`
  onGreeting(@Event() text: string): void {
    this.seen.events.push(`heard: ${text}`);
  }

  @OnQueue('default', { functionId: 'emails::send' }) // jobs enqueued for `emails::send`
  send(@Event() job: { to: string }): void {
    this.seen.events.push(`email to ${job.to}`);
  }

  @Cron('0 0 3 * * *') // every day at 03:00:00 (seconds first)
  nightly(@Event() event: CronEvent): void {
    this.seen.events.push(`nightly run at ${event.scheduled_time}`);
  }

  @Fn('mail::count') // a plain function other workers call with trigger({ function_id: 'mail::count' })
  count(): number {
    return this.seen.events.filter((e) => e.startsWith('email')).length;
  }
}
// #endregion messaging

// #region guard
/** Lets a request through only with the right API key. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.payload as HttpRequest;
    return request.headers['x-api-key'] === 'let-me-in';
  }
}

@Controller('admin')
@UseGuards(ApiKeyGuard) // on a class: every method; a guard returning false answers 403
export class AdminController {
  @Get('stats')
  stats(): { ok: true } {
    return { ok: true };
  }
}
// #endregion guard

@Module({
  controllers: [GreetingsController, AuditReactions, ChatReactions, EmailJobs, AdminController],
  providers: [Seen, ApiKeyGuard],
})
export class TriggersModule {}
