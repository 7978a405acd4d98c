/**
 * Log fields the app added to a request (addLogFields, withLogFields), kept
 * with their JSON form.
 *
 * A log call splices the fields into its line as a string (pino-line.ts), so
 * they are serialized here, once when they are added, and never per log call.
 * An `AddedFields` is immutable: adding more makes a new one, which is what
 * lets a cached line fragment be reused until the fields change.
 */

export type FieldValues = Readonly<Record<string, unknown>>;

export class AddedFields {
  /**
   * @param fields the fields, by name
   * @param json the same fields as JSON object members, each preceded by a
   *   comma (`,"user":"u1","tenant":"t2"`), ready to follow the correlation
   *   fields in a line
   */
  private constructor(
    readonly fields: FieldValues,
    readonly json: string,
  ) {}

  /** The fields of `values` that serialize to JSON; the names of those that do not, in `dropped`. */
  static from(values: object, base?: AddedFields): { added: AddedFields; dropped: string[] } {
    const fields: Record<string, unknown> = base === undefined ? {} : { ...base.fields };
    const dropped: string[] = [];
    for (const name of Object.keys(values)) {
      const value = (values as Record<string, unknown>)[name];
      if (serialize(value) === undefined) dropped.push(name);
      else fields[name] = value;
    }
    return { added: AddedFields.of(fields), dropped };
  }

  /** These fields with `more` over them (already serializable: both come from `from`). */
  merge(more: AddedFields): AddedFields {
    return AddedFields.of({ ...this.fields, ...more.fields });
  }

  private static of(fields: Record<string, unknown>): AddedFields {
    let json = '';
    for (const name of Object.keys(fields)) json += `,${JSON.stringify(name)}:${serialize(fields[name])}`;
    return new AddedFields(Object.freeze(fields), json);
  }
}

/** The JSON of `value`, or `undefined` where JSON has none (undefined, a function, a symbol) or it throws (a BigInt, a cycle). */
function serialize(value: unknown): string | undefined {
  try {
    const json = JSON.stringify(value) as string | undefined;
    return typeof json === 'string' ? json : undefined;
  } catch {
    // The field is left out, and the caller reports it once (src/context/request-fields.ts).
    return undefined;
  }
}
