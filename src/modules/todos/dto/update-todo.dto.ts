import { IsBoolean, IsString, Length, ValidateIf } from 'class-validator';
import { TITLE_MAX_LENGTH } from '../todo.entity';
import { VisibleTitle } from './visible-title';

/**
 * Both fields optional. `ValidateIf(value !== undefined)` rather than `IsOptional()`: IsOptional
 * would also let `null` through, and `{ "title": null }` must be a 400, not a todo without a title.
 */
export class UpdateTodoDto {
  @ValidateIf((_dto: UpdateTodoDto, value: unknown) => value !== undefined)
  @IsString()
  @Length(1, TITLE_MAX_LENGTH)
  @VisibleTitle()
  title?: string;

  @ValidateIf((_dto: UpdateTodoDto, value: unknown) => value !== undefined)
  @IsBoolean()
  completed?: boolean;
}
