/**
 * The JSON of the AGI Agent Sessions API, written once: the client reads it, the emulator (src/emulator/) answers it,
 * and the tests' scripted servers send it. Types only, so the emulator's import of them is erased at run time.
 */

/** `/status` and `/messages.status` as documented (`ready` and `paused` as the SDK types have them). */
export type DocumentedExecutionStatus = 'running' | 'waiting_for_input' | 'finished' | 'error' | 'ready' | 'paused';

export type DocumentedMessageType = 'THOUGHT' | 'QUESTION' | 'USER' | 'DONE' | 'ERROR' | 'LOG';

/** One entry of GET …/messages, in the API's snake_case shape; `content` is a string or, for some types, JSON. */
export interface WireMessage<Type extends string = DocumentedMessageType, Content = string | Record<string, unknown> | Array<Record<string, unknown>>> {
  id: number;
  type: Type;
  content: Content;
  timestamp: string;
  metadata: Record<string, unknown>;
}
