import { stripVTControlCharacters } from 'node:util';

/** The message of the assertion error a promise rejects with, without colours and with `replace` pairs applied. */
export async function failureOf(promise: Promise<unknown>, replace: Record<string, string> = {}): Promise<string> {
  try {
    await promise;
  } catch (error) {
    let message = stripVTControlCharacters((error as Error).message);
    for (const [from, to] of Object.entries(replace)) message = message.split(from).join(to);
    return message;
  }
  throw new Error('expected the assertion to fail, but it passed');
}

/** The error a promise rejects with, for tests that inspect more than its message. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection, but the promise resolved');
}
