// The one place where YAML's snake_case keys become TypeScript's camelCase fields (and back, for messages).

export type SnakeToCamel<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<SnakeToCamel<Tail>>}`
  : S;

export type CamelToSnake<S extends string> = S extends `${infer Head}${infer Tail}`
  ? `${Head extends Lowercase<Head> ? Head : `_${Lowercase<Head>}`}${CamelToSnake<Tail>}`
  : S;

/** The object with every snake_case key renamed to camelCase. */
export type CamelKeys<T> = { [K in keyof T as K extends string ? SnakeToCamel<K> : K]: T[K] };

export function snakeToCamel<S extends string>(key: S): SnakeToCamel<S> {
  return key.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase()) as SnakeToCamel<S>;
}

export function camelToSnake<S extends string>(key: S): CamelToSnake<S> {
  return key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`) as CamelToSnake<S>;
}

/** Renames the keys of a parsed YAML section; keys whose value is `undefined` are dropped. */
export function camelizeKeys<T extends object>(values: T): CamelKeys<T> {
  return Object.fromEntries(
    Object.entries(values)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [snakeToCamel(key), value]),
  ) as CamelKeys<T>;
}
