// `SteadyWebSocket` with `shareAcrossTabs`: the plain one over sharing.js's
// `SteadySocket`. A module of its own, so that a bundler leaves it out of an
// application that shares only `SteadySocket`s.

import { SteadySocket } from "./sharing.js";
import { SteadyWebSocket as BaseWebSocket } from "./websocket.js";

/** `SteadyWebSocket` over a sharing `SteadySocket`: `shareAcrossTabs` and `role`. */
export class SteadyWebSocket extends BaseWebSocket {
  static Core = SteadySocket;

  /** `"leader"` or `"follower"` (a socket that does not share: `"leader"`). */
  get role() {
    return this.steadySocket.role;
  }
}
