import { randomUUID } from 'crypto';
import { Injectable, NotFoundException, StateService, type StateScope, type UpdateOp } from '#framework';
import type { CreateTodoDto } from './dto/create-todo.dto';
import type { UpdateTodoDto } from './dto/update-todo.dto';
import { byCreation, isTodo, TODOS_SCOPE, type Todo } from './todo.entity';

/** Time and ids, injectable so tests can pin them. */
@Injectable()
export class TodoClock {
  now(): number {
    return Date.now();
  }

  newId(): string {
    return randomUUID();
  }
}

/**
 * Todos live in state scope `todos`, one key per todo. The service only writes state: the stream
 * mirror and the metrics are reactions to those writes (todos.reactions.ts, metrics module).
 */
@Injectable()
export class TodosService {
  private readonly todos: StateScope<Todo>;
  private lastCreatedAt = 0;

  constructor(
    state: StateService,
    private readonly clock: TodoClock,
  ) {
    this.todos = state.scope<Todo>(TODOS_SCOPE);
  }

  async create(dto: CreateTodoDto): Promise<Todo> {
    const createdAt = new Date(this.nextCreationTime()).toISOString();
    const todo: Todo = { id: this.clock.newId(), title: dto.title, completed: false, createdAt, updatedAt: createdAt };
    await this.todos.set(todo.id, todo);
    return todo;
  }

  /** Every todo by creation time, or only the completed (`true`) or active (`false`) ones. */
  async findAll(completed?: boolean): Promise<Todo[]> {
    const values = await this.todos.list();
    const todos = values.filter(isTodo);
    return (completed === undefined ? todos : todos.filter((t) => t.completed === completed)).sort(byCreation);
  }

  async findOne(id: string): Promise<Todo> {
    const todo = await this.todos.get(id);
    if (!isTodo(todo)) throw notFound(id);
    return todo;
  }

  /**
   * Field-level `state::update` ops rather than read-modify-set, so two concurrent PATCHes of
   * different fields both land. The read first gives a clean 404 for unknown ids.
   */
  async update(id: string, dto: UpdateTodoDto): Promise<Todo> {
    const current = await this.findOne(id);
    const ops: UpdateOp[] = [];
    if (dto.title !== undefined) ops.push({ type: 'set', path: 'title', value: dto.title });
    if (dto.completed !== undefined) ops.push({ type: 'set', path: 'completed', value: dto.completed });
    if (ops.length === 0) return current; // nothing to change: no write, no reaction
    ops.push({ type: 'set', path: 'updatedAt', value: new Date(this.clock.now()).toISOString() });
    const result = await this.todos.update(id, ops);
    if (!isTodo(result.old_value)) {
      // Deleted between our read and the update, which then recreated a partial record: undo it.
      await this.todos.delete(id);
      throw notFound(id);
    }
    return result.new_value;
  }

  async remove(id: string): Promise<{ id: string; deleted: true }> {
    const deleted = await this.todos.delete(id);
    if (deleted === undefined) throw notFound(id);
    return { id, deleted: true };
  }

  /** Strictly increasing within the process, so `createdAt` alone orders todos made here. */
  private nextCreationTime(): number {
    const now = this.clock.now();
    this.lastCreatedAt = now > this.lastCreatedAt ? now : this.lastCreatedAt + 1;
    return this.lastCreatedAt;
  }
}

function notFound(id: string): NotFoundException {
  return new NotFoundException(`Todo ${JSON.stringify(id)} not found`);
}
