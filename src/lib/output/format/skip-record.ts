// Thrown inside a formatter's per-field code to drop the whole record (--on-error skip); the
// formatter catches it and returns undefined.

class SkipRecord extends Error {}

export const SKIP_RECORD: Error = new SkipRecord()
