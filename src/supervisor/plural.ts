// Counted nouns in the sentences people read (transition reasons, CLI output): "1 service", "2 services", "1 retry", "3 retries".

/** `count` and the noun, in the plural unless the count is 1 (`plural` when the noun does not just take an s). */
export function plural(count: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : pluralNoun}`;
}
