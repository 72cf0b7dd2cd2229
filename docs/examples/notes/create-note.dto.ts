// #region dto
import { IsString, Length } from 'class-validator';

/** Body of `POST /notes`, validated before the method runs: bad input is a 400. */
export class CreateNoteDto {
  @IsString()
  @Length(1, 500)
  text!: string;
}
// #endregion dto
