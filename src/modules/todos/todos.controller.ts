import { Body, Controller, Delete, Get, Param, ParseBoolPipe, Patch, Post, Query } from '#framework';
import { CreateTodoDto } from './dto/create-todo.dto';
import { UpdateTodoDto } from './dto/update-todo.dto';
import type { Todo } from './todo.entity';
import { TodosService } from './todos.service';

/** REST API of the todos (`todos::create`, `todos::find-all`, ...). Validation happens in the framework. */
@Controller('todos')
export class TodosController {
  constructor(private readonly todos: TodosService) {}

  @Post()
  create(@Body() dto: CreateTodoDto): Promise<Todo> {
    return this.todos.create(dto);
  }

  /** `?completed=true|false` narrows the list; anything else is a 400 from the pipe. */
  @Get()
  findAll(@Query('completed', new ParseBoolPipe({ optional: true })) completed?: boolean): Promise<Todo[]> {
    return this.todos.findAll(completed);
  }

  @Get(':id')
  findOne(@Param('id') id: string): Promise<Todo> {
    return this.todos.findOne(id);
  }

  @Patch(':id')
  update(@Param('id') id: string, @Body() dto: UpdateTodoDto): Promise<Todo> {
    return this.todos.update(id, dto);
  }

  @Delete(':id')
  remove(@Param('id') id: string): Promise<{ id: string; deleted: true }> {
    return this.todos.remove(id);
  }
}
