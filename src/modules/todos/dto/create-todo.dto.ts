import { IsString, Length } from 'class-validator';
import { TITLE_MAX_LENGTH } from '../todo.entity';
import { VisibleTitle } from './visible-title';

export class CreateTodoDto {
  @IsString()
  @Length(1, TITLE_MAX_LENGTH)
  @VisibleTitle()
  title!: string;
}
