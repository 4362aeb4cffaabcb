// The comparison libraries, bundled by esbuild into www/gen/vendor.js for
// the benchmark page (scripts/bench.sh).
export { default as PartySocket } from "partysocket/ws";
export { default as ReconnectingWebSocket } from "reconnecting-websocket";
