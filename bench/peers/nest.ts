/**
 * Peer: the todo API as a NestJS 11 user writes it, on fastify or express (argv[2]). A controller,
 * an injectable service over better-sqlite3 (todo + metrics row in one transaction), a DTO checked
 * by the global ValidationPipe (class-validator, whitelist, unknown fields refused), and a `ws`
 * broadcast of every change to live subscribers.
 */
import 'reflect-metadata';
import { join } from 'node:path';
import { Body, Controller, Get, Inject, Injectable, Module, NotFoundException, Param, Post, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { ExpressAdapter } from '@nestjs/platform-express';
import { IsString, Length, Matches } from 'class-validator';
import { announce, LiveBroadcaster } from './live';
import { TodoStore, type PeerMetrics, type PeerTodo } from './store';

class CreateTodoDto {
  @IsString()
  @Length(1, 200)
  @Matches(/\S/, { message: 'title must not be blank' })
  title!: string;
}

const STORE = 'STORE';
const LIVE = 'LIVE';

@Injectable()
class TodosService {
  constructor(
    @Inject(STORE) private readonly store: TodoStore,
    @Inject(LIVE) private readonly live: LiveBroadcaster,
  ) {}

  create(title: string): PeerTodo {
    const { todo, metrics } = this.store.create(title);
    this.live.broadcast({ type: 'create', data: todo, metrics });
    return todo;
  }

  findOne(id: string): PeerTodo {
    const todo = this.store.get(id);
    if (todo === undefined) throw new NotFoundException(`todo ${id} not found`);
    return todo;
  }

  metrics(): PeerMetrics {
    return this.store.metrics();
  }
}

@Controller('todos')
class TodosController {
  constructor(private readonly todos: TodosService) {}

  @Post()
  create(@Body() dto: CreateTodoDto): PeerTodo {
    return this.todos.create(dto.title);
  }

  @Get('metrics')
  metrics(): PeerMetrics {
    return this.todos.metrics();
  }

  @Get(':id')
  findOne(@Param('id') id: string): PeerTodo {
    return this.todos.findOne(id);
  }
}

async function main(): Promise<void> {
  const platform = process.argv[2] === 'express' ? 'express' : 'fastify';
  const store = new TodoStore(join(process.env.DATA_DIR ?? '.', 'todos.db'));
  const live = await LiveBroadcaster.listen(() => store.list());

  @Module({
    controllers: [TodosController],
    providers: [TodosService, { provide: STORE, useValue: store }, { provide: LIVE, useValue: live }],
  })
  class AppModule {}

  const app =
    platform === 'fastify'
      ? await NestFactory.create(AppModule, new FastifyAdapter(), { logger: false })
      : await NestFactory.create(AppModule, new ExpressAdapter(), { logger: false });
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }));
  await app.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
  announce({ http: (await app.getUrl()).replace('[::1]', '127.0.0.1'), stream: live.url });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
