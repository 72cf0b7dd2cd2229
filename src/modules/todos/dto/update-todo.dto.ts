import { IsBoolean, IsString, Length, Matches, ValidateIf } from 'class-validator';
import { TITLE_MAX_LENGTH } from '../todo.entity';

/**
 * Both fields optional. `ValidateIf(value !== undefined)` rather than `IsOptional()`: IsOptional
 * would also let `null` through, and `{ "title": null }` must be a 400, not a todo without a title.
 */
export class UpdateTodoDto {
  @ValidateIf((_dto: UpdateTodoDto, value: unknown) => value !== undefined)
  @IsString()
  @Length(1, TITLE_MAX_LENGTH)
  @Matches(/\S/, { message: 'title must not be blank' })
  title?: string;

  @ValidateIf((_dto: UpdateTodoDto, value: unknown) => value !== undefined)
  @IsBoolean()
  completed?: boolean;
}
