// #region entity
/** A note as stored in state scope `notes`, one key per note. */
export interface Note {
  id: string;
  text: string;
  createdAt: string;
}
// #endregion entity
