// Types of `steadysocket/shared`: the package's, with `shareAcrossTabs` and
// each socket's `role`.

import {
  SteadySocket as PlainSocket,
  SteadyWebSocket as PlainWebSocket,
  SteadySocketOptions as PlainSocketOptions,
  SteadyWebSocketOptions as PlainWebSocketOptions,
  OpenMeta,
  CloseInfo,
  StateChange,
  UrlProvider,
} from "./index.js";

export * from "./index.js";
export { default } from "./index.js";

/** Whether this tab runs the shared connection or follows the one that does. */
export type Role = "leader" | "follower";

/**
 * Share one connection with the other tabs of this origin that use the same
 * name: `true` (the name is the URL's origin and path), or `{ name }`
 * (needed when the URL is a function).
 */
export type ShareAcrossTabs = boolean | { name?: string };

/** What the callbacks of a sharing socket get besides the plain ones. */
export interface SharedOpenMeta extends Omit<OpenMeta, "trigger"> {
  /** `"handover"`: the first open of a tab that took the connection over. */
  readonly trigger: OpenMeta["trigger"] | "handover";
  readonly role: Role;
}
export interface SharedCloseInfo extends CloseInfo {
  readonly role: Role;
}
export interface SharedStateChange extends Omit<StateChange, "cause"> {
  readonly cause: StateChange["cause"] | "handover";
  readonly role: Role;
}

export interface SharedSocketOptions extends Omit<PlainSocketOptions, "onOpen" | "onClose" | "onStateChange"> {
  shareAcrossTabs?: ShareAcrossTabs;
  onOpen?: (this: SharedSocketOptions, meta: SharedOpenMeta) => void;
  onClose?: (this: SharedSocketOptions, info: SharedCloseInfo) => void;
  onStateChange?: (this: SharedSocketOptions, change: SharedStateChange) => void;
}

export interface SharedWebSocketOptions extends PlainWebSocketOptions {
  shareAcrossTabs?: ShareAcrossTabs;
}

/**
 * `SteadySocket`, sharing one connection across tabs with `shareAcrossTabs`.
 * In a follower, `sendMessage` returning `true` means the message is
 * delivered through the leader once, in this tab's order (without an
 * outbox, only while the connection is ready); `stop()` and `terminate()`
 * change this tab's view and resolve at once, with `undefined`.
 */
export declare class SteadySocket extends PlainSocket {
  constructor(url: string | URL | UrlProvider, options?: SharedSocketOptions);
  /** `"leader"` or `"follower"`; a socket that does not share is its own leader. */
  readonly role: Role;
}

export declare class SteadyWebSocket extends PlainWebSocket {
  constructor(url: string | URL | UrlProvider, protocols?: string | readonly string[], options?: SharedWebSocketOptions);
  readonly role: Role;
}
