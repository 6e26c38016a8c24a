// A TypeScript consumer of the package: type-checked with `tsc --noEmit` by the tests.
import { Policy } from "../../wasm/pkg/web/labelgate.js";
import type { Action, Decision, Request, Snapshot } from "../../wasm/pkg/web/labelgate.js";

const snapshot: Snapshot = {
  edition: "enterprise",
  organizations: [{ id: 1, owner: 10, members: [{ user: 10, role: "owner", status: "active" }], workspaces: [], projects: [] }],
};
const policy: Policy = Policy.load(snapshot);
const request: Request = { principal: { user: 10, groups: [] }, org: 1, action: "org.invite", resource: {} };
const decision: Decision = policy.decide(request);
const allowed: boolean = decision.allow;
const actions: Action[] = policy.allowedActions({ user: 10 }, 1, { project: 5 });
const many: readonly Action[][] = policy.allowedActionsMany({ user: 10 }, 1, [{ project: 5 }, {}]);
const projects: number[] = policy.visibleProjects({ user: 10 }, 1);
const id: string = policy.policyId;
policy.update(JSON.stringify(snapshot));
export { allowed, actions, many, projects, id };

// @ts-expect-error: an unknown action name is a type error
const wrong: Request = { principal: { user: 1 }, org: 1, action: "project.fly", resource: {} };
export { wrong };
