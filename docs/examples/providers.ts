/** Modules and dependency injection: providers of every kind, exports and imports, lifecycle hooks. */
import { Controller, Get, Inject, Injectable, Module, Param, type OnModuleInit } from '#framework';

// #region tokens
/** A token for a value that is not a class: a string (or a symbol) names it. */
export const GREETING = 'GREETING';

export interface Clock {
  now(): Date;
}
export const CLOCK = 'CLOCK';
// #endregion tokens

// #region providers
@Injectable()
export class Greeter implements OnModuleInit {
  private ready = false;

  constructor(
    @Inject(GREETING) private readonly greeting: string, // a value provider, injected by token
    @Inject(CLOCK) private readonly clock: Clock, // a factory provider
  ) {}

  onModuleInit(): void {
    this.ready = true; // runs once every provider exists, before any trigger is registered
  }

  greet(name: string): string {
    return `${this.greeting}, ${name} (${this.ready ? 'ready' : 'starting'} at ${this.clock.now().toISOString()})`;
  }
}

@Module({
  providers: [
    Greeter, // a class: one instance per application
    { provide: GREETING, useValue: 'Hello' },
    { provide: CLOCK, useFactory: (): Clock => ({ now: () => new Date() }) },
  ],
  exports: [Greeter], // what importing modules may inject; GREETING and CLOCK stay private
})
export class GreetingModule {}
// #endregion providers

// #region imports
@Controller('hello')
export class HelloController {
  constructor(private readonly greeter: Greeter) {}

  @Get(':name') // GET /hello/Ada → "Hello, Ada (ready at …)"
  hello(@Param('name') name: string): string {
    return this.greeter.greet(name);
  }
}

@Module({ imports: [GreetingModule], controllers: [HelloController] })
export class HelloModule {}
// #endregion imports
