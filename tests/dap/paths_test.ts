import assert from "node:assert/strict";
import { pathMapper, readMappings, sameFile } from "../../src/dap/paths.ts";

Deno.test("pathMapper: the longest root wins, both ways; unmapped paths pass through", () => {
  const m = pathMapper([
    { localRoot: "/home/me/proj", remoteRoot: "/srv/proj" },
    { localRoot: "/home/me/proj/vendor", remoteRoot: "/opt/vendor/" },
  ]);
  assert.equal(m.local, true);
  assert.equal(m.toServer("/home/me/proj/src/loop.c"), "/srv/proj/src/loop.c");
  assert.equal(m.toServer("/home/me/proj/vendor/lib.c"), "/opt/vendor/lib.c");
  assert.equal(m.toServer("/home/me/project/x.c"), "/home/me/project/x.c");
  assert.equal(m.toEditor("/srv/proj/src/loop.c"), "/home/me/proj/src/loop.c");
  assert.equal(m.toEditor("/opt/vendor/lib.c"), "/home/me/proj/vendor/lib.c");
  assert.equal(pathMapper([]).local, false);
});

Deno.test("readMappings: pathMappings and sourceRoot (onto the server's directory), checked", () => {
  assert.deepEqual(readMappings({ sourceRoot: "/home/me/proj" }, "/srv/proj"), [
    { localRoot: "/home/me/proj", remoteRoot: "/srv/proj" },
  ]);
  assert.deepEqual(
    readMappings({ pathMappings: [{ localRoot: "/l", remoteRoot: "/r" }] }, "/srv"),
    [{ localRoot: "/l", remoteRoot: "/r" }],
  );
  assert.equal(typeof readMappings({ pathMappings: "/l:/r" }, "/srv"), "string");
  assert.equal(typeof readMappings({ pathMappings: [{ localRoot: "/l" }] }, "/srv"), "string");
  assert.equal(typeof readMappings({ sourceRoot: 3 }, "/srv"), "string");
});

Deno.test("sameFile: a debugger's relative name matches the full path, never another directory's", () => {
  assert.ok(sameFile("/srv/proj/loop.c", "loop.c"));
  assert.ok(sameFile("src/loop.c", "/srv/proj/src/loop.c"));
  assert.ok(!sameFile("/srv/proj/loop.c", "/srv/other/loop.c"));
  assert.ok(!sameFile("/srv/proj/myloop.c", "loop.c"));
});
