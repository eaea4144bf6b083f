/**
 * A text column that the database constrains to a list (a CHECK), read back as the list's
 * type: checked here too, so a value the code does not know fails loudly instead of flowing on.
 */
export function oneOf<const Values extends readonly string[]>(
  values: Values,
  value: string,
  column: string,
): Values[number] {
  const known = values.find((candidate) => candidate === value);
  if (known === undefined) {
    throw new Error(`${column} holds "${value}", which this code does not know`);
  }
  return known;
}
