import { IsString, Length, Matches } from 'class-validator';
import { TITLE_MAX_LENGTH } from '../todo.entity';

export class CreateTodoDto {
  @IsString()
  @Length(1, TITLE_MAX_LENGTH)
  // A title of only spaces renders as an empty row; reject it like an empty one.
  @Matches(/\S/, { message: 'title must not be blank' })
  title!: string;
}
