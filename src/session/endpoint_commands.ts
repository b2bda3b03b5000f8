/**
 * `.server` and `.endsrv`: a session's operators open and close the server's endpoints. The
 * session reaches its endpoints only through {@link SessionControls}; mistakes go to the one
 * who made them, what changed is announced to everyone.
 */
import { DbgRemoteError } from "../errors.ts";
import type { EndpointInfo, SessionControls } from "./controls.ts";
import type { MetaContext } from "./meta.ts";
import { counted } from "./meta_text.ts";

export function noControls(word: string): DbgRemoteError {
  return new DbgRemoteError("E_USAGE", `${word} is not available: this session has no endpoints`, {
    hint: "it runs inside a test or tool without a server",
  });
}

/** `.server CONNSTR`: one more endpoint, announced to everyone. */
export async function openEndpoint(ctx: MetaContext): Promise<boolean> {
  const controls = ctx.controls;
  if (!controls) return ctx.fail(noControls(".server"));
  if (ctx.arg === "") {
    return ctx.fail(
      new DbgRemoteError("E_USAGE", ".server needs a connection string", {
        hint:
          "for example: .server tcp:port=5007,password_env=LAB_PW (.servers lists the open ones)",
      }),
    );
  }
  let info: EndpointInfo;
  try {
    info = await controls.open(ctx.arg, ctx.from);
  } catch (err) {
    return ctx.fail(err);
  }
  const watch = info.observe ? " (everyone who joins there is an observer)" : "";
  ctx.announce(
    `${ctx.from} opened endpoint ${info.id}: ${info.spec}${watch}; ` +
      `join with: dbgremote client ${info.address}`,
  );
  return true;
}

/** `.endsrv ID`: stop accepting there; who came in through it stays. */
export async function closeEndpoint(ctx: MetaContext): Promise<boolean> {
  const controls = ctx.controls;
  if (!controls) return ctx.fail(noControls(".endsrv"));
  const arg = ctx.arg;
  const target = findEndpoint(controls, arg);
  if (target instanceof DbgRemoteError) return ctx.fail(target);
  let info: EndpointInfo;
  try {
    info = await controls.close(target.id, ctx.from);
  } catch (err) {
    return ctx.fail(err);
  }
  const kept = ctx.clients().filter((c) => c.endpoint === info.id).length;
  const still = controls.servers().some((e) => e.state === "accepting")
    ? ""
    : "; no endpoint accepts new clients now (.server CONNSTR opens one)";
  ctx.announce(
    `${ctx.from} closed endpoint ${info.id} (${info.spec}): nobody new can join there; ` +
      `${counted(kept, "client")} who came in through it stay${kept === 1 ? "s" : ""}` + still,
  );
  return true;
}

/** The accepting endpoint `.endsrv ARG` names, or what is wrong with ARG. */
function findEndpoint(controls: SessionControls, arg: string): EndpointInfo | DbgRemoteError {
  const all = controls.servers();
  const open = all.filter((e) => e.state === "accepting");
  const valid = open.length
    ? `endpoints accepting now: ${open.map((e) => `${e.id} (${e.spec})`).join(", ")}`
    : "no endpoint accepts clients now";
  const target = /^\d+$/.test(arg) ? all.find((e) => e.id === Number(arg)) : undefined;
  if (!target) {
    return new DbgRemoteError(
      "E_USAGE",
      arg === ""
        ? ".endsrv needs the id of an endpoint"
        : `.endsrv ${arg}: there is no endpoint ${arg}`,
      { hint: `${valid} (.servers lists them all)` },
    );
  }
  if (target.state === "closed") {
    return new DbgRemoteError(
      "E_USAGE",
      `endpoint ${target.id} (${target.spec}) is already closed`,
      { hint: valid },
    );
  }
  return target;
}
