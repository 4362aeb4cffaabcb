// "steadysocket/shared" with the types a browser project sees: the sharing
// option, roles, and the callbacks' extra fields; must compile with no error.
import init, { SteadySocket, SteadyWebSocket, type Role, type SharedOpenMeta } from "steadysocket/shared";

await init();
const socket = new SteadySocket("wss://example.com/sync", {
  shareAcrossTabs: { name: "sync" },
  outbox: true,
  onOpen(meta: SharedOpenMeta) {
    const trigger: "handover" | "initial" | string = meta.trigger;
    const role: Role = meta.role;
    void [trigger, role];
  },
  onClose(info) {
    const role: Role = info.role;
    void [role, info.decision.kind];
  },
  onStateChange(change) {
    if (change.cause === "handover") void change.role;
  },
});
const role: Role = socket.role;
const accepted: boolean = socket.sendMessage("hello");
void [role, accepted];
const shared = new SteadySocket("wss://example.com/sync", { shareAcrossTabs: true });
void shared.connectionState().isConnected;
const ws = new SteadyWebSocket("wss://example.com/sync", undefined, { shareAcrossTabs: true });
const wsRole: Role = ws.role;
void wsRole;
