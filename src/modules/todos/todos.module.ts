import { Module } from '#framework';
import { TodosController } from './todos.controller';
import { TodosReactions } from './todos.reactions';
import { TodoClock, TodosService } from './todos.service';

@Module({
  controllers: [TodosController, TodosReactions],
  providers: [TodosService, TodoClock],
  exports: [TodosService],
})
export class TodosModule {}
