// What the producer reports for delivered records: a Float64Array of four numbers per record,
// [line, partition, offset, timestamp], many records at a time (numbers, not objects: a million
// deliveries stay a few arrays).

export const DELIVERY_REPORT_FIELDS = 4

/** [line, partition, offset, timestamp] per delivered record; `line` is the input line number. */
export type DeliveryReports = Float64Array
