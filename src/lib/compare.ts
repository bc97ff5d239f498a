/**
 * Ordinal (UTF-16 code unit) order for topic, group and config names: the order the Apache
 * tools print (Java's String.compareTo), and no ICU collator to initialise at start-up.
 */
export const compareNames = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
