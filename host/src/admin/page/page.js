// The admin page: Connectivity (one card per connection), Users (per end user status of the
// connectors with subjects) and Connectors, over the host's /api/v1. The admin token is asked
// once and kept in sessionStorage (this tab only). Every value from the API goes into the DOM
// as text nodes (never parsed as markup), and nothing is styled inline: the CSP allows only this file and
// page.css. Live updates are a modest poll that stops while the tab is hidden.
"use strict";

(() => {
  const TOKEN_KEY = "chost.admin.token";
  const POLL_MS = 4000;
  const USERS_PAGE = 25;
  // An API this host may not have yet (the outbox) is asked again at most this often.
  const MISSING_RETRY_MS = 60000;

  const state = {
    tab: "connectivity",
    connectors: [],
    orphans: [],
    history: {},  // connection name -> newest transitions
    users: { connector: "", status: "", q: "", offset: 0, data: null, selected: "" },
    outbox: {},   // connector name -> {available, entries, checkedAt}
    checkpoints: {},  // connector name -> {entries, more}
    timer: 0,
    inFlight: false,
    oauthWindow: null,
  };

  const $ = (id) => document.getElementById(id);

  // el("div", {class: "x", dataset: {a: 1}}, child, "text", ...)
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "dataset") Object.assign(node.dataset, v);
      else if (k === "onclick") node.addEventListener("click", v);
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) {
      if (c === undefined || c === null || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  // ---- API ----

  class ApiError extends Error {
    constructor(status, cls, message) {
      super(message);
      this.status = status;
      this.cls = cls;
    }
  }

  async function api(method, path, body) {
    const token = sessionStorage.getItem(TOKEN_KEY) || "";
    const init = { method, headers: { Authorization: "Bearer " + token }, cache: "no-store" };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const res = await fetch(path, init);
    let data = null;
    try {
      data = await res.json();
    } catch (_) {
      data = null;
    }
    if (res.status === 401) {
      signOut("The admin token was refused. Enter it again.");
      throw new ApiError(401, "unauthorized", "The admin token was refused.");
    }
    if (!res.ok) {
      const e = (data && data.error) || {};
      throw new ApiError(res.status, e.class || "", e.message || "HTTP " + res.status);
    }
    return data;
  }

  const enc = encodeURIComponent;
  const connectorPath = (name) => "/api/v1/connectors/" + enc(name);

  // ---- formatting ----

  function fmtTime(ms) {
    if (!ms) return "never";
    const d = new Date(ms);
    const p = (n) => String(n).padStart(2, "0");
    const abs = d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate()) + " " +
      p(d.getHours()) + ":" + p(d.getMinutes()) + ":" + p(d.getSeconds());
    return abs + " (" + fmtAgo(ms) + ")";
  }

  function fmtAgo(ms) {
    const s = Math.round((Date.now() - ms) / 1000);
    const future = s < 0;
    const a = Math.abs(s);
    let text;
    if (a < 5) return future ? "now" : "just now";
    if (a < 90) text = a + " s";
    else if (a < 5400) text = Math.round(a / 60) + " min";
    else if (a < 129600) text = Math.round(a / 3600) + " h";
    else text = Math.round(a / 86400) + " d";
    return future ? "in " + text : text + " ago";
  }

  function fmtPeriod(ms) {
    if (!ms) return "on demand only";
    const s = ms / 1000;
    if (s % 86400 === 0) return "every " + s / 86400 + " d";
    if (s % 3600 === 0) return "every " + s / 3600 + " h";
    if (s % 60 === 0) return "every " + s / 60 + " min";
    return "every " + s + " s";
  }

  // The admin's words for a connection state (the vendor articles' Connected / Disconnected).
  const CONNECTION_STATES = {
    connected: ["Connected", "ok"],
    refreshing: ["Refreshing", "warn"],
    disconnected: ["Disconnected", "bad"],
    disabled: ["Disabled", "off"],
    unauthorized: ["Not connected", "off"],
    failed: ["Failed", "bad"],
  };
  const CONNECTOR_STATES = {
    idle: ["Idle", "ok"],
    running: ["Running", "ok"],
    connected: ["Connected", "ok"],
    suspended: ["Waiting for the connection", "warn"],
    failed: ["Failed", "bad"],
    disabled: ["Disabled", "off"],
    unauthorized: ["Not authorized", "off"],
    disconnected: ["Disconnected", "bad"],
    refreshing: ["Refreshing", "warn"],
  };
  const USER_STATUS_CLASS = {
    Enabled: "ok",
    Disabled: "off",
    "Disabled due to an error": "bad",
    "Waiting for the connection": "warn",
  };

  function badge(table, value) {
    const [text, cls] = table[value] || [value || "Unknown", "off"];
    return el("span", { class: "badge " + cls, dataset: { state: value || "" } }, text);
  }

  function facts(rows) {
    const dl = el("dl", { class: "facts" });
    for (const [k, v] of rows) {
      if (v === undefined || v === null || v === "") continue;
      dl.append(el("dt", null, k), el("dd", null, v));
    }
    return dl;
  }

  // ---- banner ----

  let bannerTimer = 0;
  function say(text, kind) {
    const b = $("banner");
    b.textContent = text;
    b.className = "banner" + (kind ? " " + kind : "");
    b.hidden = false;
    clearTimeout(bannerTimer);
    // Errors stay until the next message; the rest go once read.
    if (kind !== "bad") bannerTimer = setTimeout(() => { b.hidden = true; }, kind === "ok" ? 6000 : 20000);
  }

  async function act(button, work) {
    button.disabled = true;
    try {
      await work();
    } catch (e) {
      if (e.status !== 401) say(e.message, "bad");
    } finally {
      button.disabled = false;
      refresh();
    }
  }

  // ---- Connectivity ----

  function connections() { return state.connectors.filter((c) => c.kind === "connection"); }
  function dependents(name) { return state.connectors.filter((c) => c.uses === name); }

  // From Organization.IsSandbox, read when the connection was authorized.
  function environment(identity) {
    let env;
    if (identity.environment === "sandbox" || identity.is_sandbox === true) env = "Sandbox";
    else if (identity.environment === "production" || identity.is_sandbox === false) env = "Production";
    if (!env) return undefined;
    return identity.organization_type ? env + " \u00b7 " + identity.organization_type : env;
  }

  function lastRefresh(history) {
    for (const h of history || []) {
      if (h.from_state === "refreshing" && h.to_state === "connected") return h.at_ms;
    }
    return undefined;
  }

  // The credential history in the admin's words: what happened to the grant (authorized,
  // refreshed, refresh failed, disabled ...), from the connection's state transitions.
  function credentialEvent(h) {
    const from = h.from_state || "";
    const to = h.to_state || "";
    if (!from) return ["Restored at start (" + ((CONNECTION_STATES[to] || [to])[0]) + ")", "off"];
    if (to === "refreshing") return ["Refresh started", "warn"];
    if (from === "refreshing" && to === "connected") return ["Refreshed", "ok"];
    if (from === "refreshing") return ["Refresh failed", "bad"];
    if (to === "connected" && from === "disabled") return ["Enabled", "ok"];
    if (to === "connected") return ["Authorized", "ok"];
    if (to === "disconnected") return ["Disconnected", "bad"];
    if (to === "disabled") return ["Disabled", "off"];
    if (from === "disabled") return ["Enabled", "off"];
    return [(CONNECTION_STATES[to] || [to])[0], "off"];
  }

  function credentialHistory(history) {
    const section = el("section", { class: "history", dataset: { role: "credential-history" } },
      el("h3", null, "Credential history"));
    if (!history.length) {
      section.append(el("p", { class: "muted" }, "Nothing yet."));
      return section;
    }
    const list = el("ol", { class: "history-list" });
    for (const h of history) {
      const [text, cls] = credentialEvent(h);
      list.append(el("li", { dataset: { from: h.from_state || "", to: h.to_state || "" } },
        el("span", { class: "when" }, fmtTime(h.at_ms)),
        el("span", { class: "badge " + cls }, text),
        h.reason ? el("span", { class: "why" }, h.reason) : null));
    }
    section.append(list);
    return section;
  }

  // Opens the provider's login window at once (a window opened later than the click may be
  // blocked), then points it at the authorize URL the host returns.
  async function logIn(name) {
    const win = window.open("about:blank", "chost-oauth-" + name, "popup,width=560,height=720");
    state.oauthWindow = win;
    try {
      const r = await api("POST", connectorPath(name) + "/authorize", {});
      if (r && r.authorize_url) {
        if (win) win.location.href = r.authorize_url;
        else window.location.assign(r.authorize_url);
        state.awaitingLogin = name;
        say("Log in to the dedicated service account in the Salesforce window. This card " +
            "updates by itself when you are done.", "");
      } else {
        if (win) win.close();
        say(name + " is connected.", "ok");
      }
    } catch (e) {
      if (win) win.close();
      throw e;
    }
  }

  // Refresh as in the vendor article: when the refresh token is dead, the admin logs in again in
  // the Salesforce window.
  async function refreshConnection(name) {
    try {
      await api("POST", connectorPath(name) + "/refresh");
      say(name + ": the connection was refreshed.", "ok");
    } catch (e) {
      if (e.status === 409 || e.cls === "auth_revoked") {
        say(name + ": the refresh token is no longer valid (" + e.message + "). Log in again " +
            "in the Salesforce window.", "");
        await logIn(name);
        return;
      }
      throw e;
    }
  }

  function connectionCard(c) {
    const identity = c.identity || {};
    const history = state.history[c.name] || [];
    const since = history.length ? history[0].at_ms : undefined;
    const down = c.state === "disconnected" || c.state === "failed";
    const disabled = c.state === "disabled";
    const reason = (c.last_error && c.last_error.message) || c.status_line || "";
    const users = dependents(c.name).reduce((n, d) => n + (d.subject_count || 0), 0);
    const who = identity.display_name
      ? identity.display_name + (identity.username ? " (" + identity.username + ")" : "")
      : identity.username;
    const buttons = el("div", { class: "actions" });
    if (!disabled) {
      buttons.append(el("button", {
        type: "button", class: c.state === "connected" ? "" : "primary",
        dataset: { action: "login" },
        onclick: (ev) => act(ev.currentTarget, () => logIn(c.name)),
      }, "Log in with Salesforce"));
      if (c.state !== "unauthorized") {
        buttons.append(el("button", {
          type: "button", class: down ? "primary" : "", dataset: { action: "refresh" },
          onclick: (ev) => act(ev.currentTarget, () => refreshConnection(c.name)),
        }, "Refresh"));
      }
    }
    buttons.append(el("button", {
      type: "button", class: disabled ? "primary" : "danger",
      dataset: { action: disabled ? "enable" : "disable" },
      onclick: (ev) => act(ev.currentTarget, async () => {
        await api("POST", connectorPath(c.name) + (disabled ? "/enable" : "/disable"));
        say(c.name + (disabled ? " is enabled." : " is disabled."), "ok");
      }),
    }, disabled ? "Enable" : "Disable"));
    return el("article", { class: "card", dataset: { connection: c.name, state: c.state } },
      el("div", { class: "card-head" },
        el("div", { class: "card-title" },
          el("h2", null, "CRM: " + c.name),
          el("span", { class: "muted" }, "Salesforce \u00b7 plugin " + c.plugin)),
        badge(CONNECTION_STATES, c.state)),
      reason && c.state !== "connected"
        ? el("p", { class: "reason" + (down ? " bad" : ""), dataset: { role: "reason" } }, reason)
        : null,
      facts([
        ["Since", since ? fmtTime(since) : undefined],
        ["Authorized by", who],
        ["Org", identity.org_id || identity.org],
        ["Environment", environment(identity)],
        ["Last refresh", lastRefresh(history) ? fmtTime(lastRefresh(history)) : undefined],
        ["Used by", dependents(c.name).map((d) => d.name).join(", ") +
          (users ? " \u00b7 " + users + " user(s)" : "")],
      ]),
      buttons,
      credentialHistory(history));
  }

  function renderConnectivity() {
    const box = $("connection-cards");
    const list = connections();
    // The login window finished: say so in place of "Log in ... in the Salesforce window".
    const done = list.find((c) => c.name === state.awaitingLogin && c.state === "connected");
    if (done) {
      state.awaitingLogin = "";
      say(done.name + " is Connected as " + ((done.identity || {}).username || "the service account") +
          ".", "ok");
    }
    box.replaceChildren(...(list.length ? list.map(connectionCard)
      : [el("p", { class: "empty" }, "No connection is configured.")]));
  }

  // ---- Users ----

  function subjectConnectors() {
    return state.connectors.filter((c) => c.kind === "connector" && c.subject_count > 0);
  }

  function usersQuery() {
    const u = state.users;
    const q = new URLSearchParams({ offset: String(u.offset), limit: String(USERS_PAGE) });
    if (u.status) q.set("status", u.status);
    if (u.q) q.set("q", u.q);
    return connectorPath(u.connector) + "/users?" + q.toString();
  }

  async function loadUsers() {
    const list = subjectConnectors();
    const select = $("users-connector");
    const names = list.map((c) => c.name);
    if (select.options.length !== names.length ||
        names.some((n, i) => select.options[i].value !== n)) {
      select.replaceChildren(...names.map((n) => el("option", { value: n }, n)));
    }
    if (!names.includes(state.users.connector)) state.users.connector = names[0] || "";
    select.value = state.users.connector;
    if (!state.users.connector) {
      state.users.data = null;
      return;
    }
    state.users.data = await api("GET", usersQuery());
  }

  function userAction(u, verb, label) {
    return el("button", {
      type: "button", class: "small", dataset: { action: verb },
      onclick: (ev) => {
        ev.stopPropagation();
        act(ev.currentTarget, async () => {
          await api("POST", connectorPath(u.connector) + "/users/" + enc(u.subject_id) + "/" + verb);
          say((u.display_name || u.subject_id) + ": " +
              (verb === "sync" ? "sync queued." : verb === "disable" ? "disabled." : "enabled."), "ok");
        });
      },
    }, label);
  }

  function renderUsers() {
    const data = state.users.data;
    const body = $("users-body");
    if (!data) {
      body.replaceChildren();
      $("users-empty").hidden = false;
      $("users-empty").textContent = "No connector with users is configured or has reported users yet.";
      $("users-counts").textContent = "";
      $("users-page").textContent = "";
      $("users-prev").disabled = $("users-next").disabled = true;
      $("user-detail").hidden = true;
      return;
    }
    const c = data.counts || {};
    $("users-counts").textContent = [
      (c.enabled || 0) + " Enabled", (c.disabled || 0) + " Disabled",
      (c.error || 0) + " Disabled due to an error",
      c.waiting ? c.waiting + " Waiting for the connection" : "",
    ].filter(Boolean).join(" \u00b7 ");
    body.replaceChildren(...data.users.map((u) => {
      const row = el("tr", {
        dataset: { subject: u.subject_id, status: u.status },
        class: u.subject_id === state.users.selected ? "selected" : "",
        onclick: () => {
          state.users.selected = u.subject_id;
          renderUsers();
          $("user-detail").scrollIntoView({ block: "nearest" });
        },
      },
      el("td", { dataset: { label: "User" } }, u.display_name || u.subject_id,
        u.display_name ? el("span", { class: "sub" }, u.subject_id) : null),
      el("td", { dataset: { label: "Synchronization status" } },
        el("span", { class: "badge " + (USER_STATUS_CLASS[u.status] || "off") }, u.status)),
      el("td", { dataset: { label: "Last sync" }, class: "when" },
        u.updated_at_ms ? fmtTime(u.updated_at_ms) : "never"),
      el("td", { dataset: { label: "Last result" } }, el("div", { class: "result" }, u.detail || "")),
      el("td", { dataset: { label: "Actions" } },
        el("div", { class: "row-actions" },
          u.admin_disabled ? userAction(u, "enable", "Enable") : userAction(u, "disable", "Disable"),
          u.admin_disabled ? null : userAction(u, "sync", "Sync now"))));
      return row;
    }));
    const from = data.total ? data.offset + 1 : 0;
    const to = data.offset + data.users.length;
    $("users-page").textContent = from + "\u2013" + to + " of " + data.total;
    $("users-prev").disabled = data.offset === 0;
    $("users-next").disabled = to >= data.total;
    $("users-empty").hidden = data.users.length > 0;
    $("users-empty").textContent = "No users match.";
    renderUserDetail();
  }

  function renderUserDetail() {
    const data = state.users.data;
    const u = data && data.users.find((x) => x.subject_id === state.users.selected);
    const box = $("user-detail");
    if (!u) {
      box.hidden = true;
      return;
    }
    box.hidden = false;
    $("user-detail-title").textContent = (u.display_name || u.subject_id) +
      (u.display_name ? " \u00b7 " + u.subject_id : "");
    $("user-detail-status").replaceChildren("Synchronization status: ",
      el("span", { class: "badge " + (USER_STATUS_CLASS[u.status] || "off") }, u.status));
    const message = $("user-detail-message");
    message.textContent = u.detail || "No message.";
    message.className = "notification" + (u.state === "disabled" && !u.admin_disabled ? " bad" : "");
    $("user-detail-time").textContent = "Updated " + fmtTime(u.updated_at_ms);
  }

  // ---- Connectors ----

  async function loadOutbox(name) {
    const now = Date.now();
    const o = state.outbox[name];
    if (o && !o.available && now - o.checkedAt < MISSING_RETRY_MS) return;
    try {
      const r = await api("GET", connectorPath(name) + "/outbox?state=failed");
      state.outbox[name] = { available: true, entries: (r && r.entries) || [], checkedAt: now };
    } catch (e) {
      if (e.status === 404 || e.status === 405) {
        state.outbox[name] = { available: false, entries: [], checkedAt: now };
      } else {
        throw e;
      }
    }
  }

  const CHECKPOINTS_SHOWN = 20;

  async function loadCheckpoints(name) {
    const r = await api("GET", connectorPath(name) + "/checkpoints?limit=" + (CHECKPOINTS_SHOWN + 1));
    const entries = (r && r.checkpoints) || [];
    state.checkpoints[name] = {
      entries: entries.slice(0, CHECKPOINTS_SHOWN), more: entries.length > CHECKPOINTS_SHOWN,
    };
  }

  function resetButton(c, keys, label) {
    return el("button", {
      type: "button", class: "small", dataset: { action: keys ? "reset-checkpoint" : "reset-checkpoints" },
      disabled: c.state !== "disabled",
      title: c.state === "disabled" ? undefined : "Disable the connector first",
      onclick: (ev) => act(ev.currentTarget, async () => {
        const r = await api("POST", connectorPath(c.name) + "/checkpoints/reset",
          keys ? { keys } : {});
        say(c.name + ": " + r.reset + " checkpoint(s) reset; the next sync starts them over.", "ok");
      }),
    }, label);
  }

  function checkpointsSection(c) {
    const cp = state.checkpoints[c.name];
    const section = el("div", { class: "section", dataset: { role: "checkpoints" } },
      el("h3", null, "Checkpoints"));
    if (!cp || !cp.entries.length) {
      section.append(el("p", { class: "muted" }, "None yet."));
      return section;
    }
    const short = (v) => (v.length > 72 ? v.slice(0, 72) + "\u2026" : v);
    section.append(el("ul", { class: "list" }, cp.entries.map((e) =>
      el("li", { dataset: { key: e.key } },
        el("span", null, el("code", null, e.key), el("span", { class: "sub muted" }, short(e.value))),
        resetButton(c, [e.key], "Reset")))));
    if (cp.more) section.append(el("p", { class: "muted" }, "and more"));
    section.append(el("p", { class: "muted" }, c.state === "disabled"
      ? "Reset makes the next sync start that checkpoint over."
      : "Disable the connector to reset checkpoints."));
    section.append(resetButton(c, null, "Reset all"));
    return section;
  }

  function summaryList(summary) {
    if (!summary || typeof summary !== "object" || !Object.keys(summary).length) {
      return el("p", { class: "muted" }, "No successful sync yet.");
    }
    const dl = el("dl", { class: "kv" });
    for (const [k, v] of Object.entries(summary)) {
      const text = v !== null && typeof v === "object" ? JSON.stringify(v) : String(v);
      dl.append(el("dt", null, k.replace(/_/g, " ")), el("dd", null, text));
    }
    return dl;
  }

  function outboxSection(c) {
    const o = state.outbox[c.name];
    const section = el("div", { class: "section", dataset: { role: "outbox" } },
      el("h3", null, "Write-back failures"));
    if (!o || !o.available) {
      section.append(el("p", { class: "muted" }, "Not available on this host."));
      return section;
    }
    if (!o.entries.length) {
      section.append(el("p", { class: "muted" }, "None."));
      return section;
    }
    section.append(el("ul", { class: "list" }, o.entries.slice(0, 20).map((e) =>
      el("li", null, el("span", null, (e.collection || "") + " " + (e.record_id || e.id) + ": " +
        (e.error || "")), el("span", { class: "muted" },
        typeof e.created_at === "number" ? fmtAgo(e.created_at) : (e.created_at || ""))))));
    if (o.entries.length > 20) section.append(el("p", { class: "muted" }, "and " + (o.entries.length - 20) + " more"));
    section.append(el("button", {
      type: "button", class: "small", dataset: { action: "outbox-retry" },
      onclick: (ev) => act(ev.currentTarget, async () => {
        await api("POST", connectorPath(c.name) + "/outbox/retry", {});
        state.outbox[c.name] = undefined;
        say(c.name + ": the failed write-backs are queued again.", "ok");
      }),
    }, "Retry all"));
    return section;
  }

  function connectorCard(c) {
    const disabled = c.state === "disabled";
    const buttons = el("div", { class: "actions" },
      disabled ? null : el("button", {
        type: "button", dataset: { action: "sync" },
        onclick: (ev) => act(ev.currentTarget, async () => {
          await api("POST", connectorPath(c.name) + "/sync");
          say(c.name + ": sync queued.", "ok");
        }),
      }, "Sync now"),
      el("button", {
        type: "button", class: disabled ? "primary" : "danger",
        dataset: { action: disabled ? "enable" : "disable" },
        onclick: (ev) => act(ev.currentTarget, async () => {
          await api("POST", connectorPath(c.name) + (disabled ? "/enable" : "/disable"));
          say(c.name + (disabled ? " is enabled." : " is disabled."), "ok");
        }),
      }, disabled ? "Enable" : "Disable"));
    const error = c.last_error
      ? el("p", { class: "reason bad" }, (c.last_error.class ? c.last_error.class + ": " : "") +
        c.last_error.message)
      : null;
    return el("article", { class: "card", dataset: { connector: c.name, state: c.state } },
      el("div", { class: "card-head" },
        el("div", { class: "card-title" }, el("h2", null, c.name),
          el("span", { class: "muted" }, "plugin " + c.plugin +
            (c.uses ? " \u00b7 uses " + c.uses : ""))),
        badge(CONNECTOR_STATES, c.state)),
      c.status_line ? el("p", { class: "muted" }, c.status_line) : null,
      error,
      el("div", { class: "sections" },
        el("div", { class: "section" }, el("h3", null, "Schedule"), facts([
          ["Runs", fmtPeriod(c.schedule_every_ms)],
          ["Next run", c.next_run_at_ms ? fmtTime(c.next_run_at_ms) : "not scheduled"],
          ["Last sync", fmtTime(c.last_sync_at_ms)],
          ["Last success", fmtTime(c.last_success_at_ms)],
          ["Users", c.subject_count ? String(c.subject_count) : undefined],
        ])),
        el("div", { class: "section" }, el("h3", null, "Last sync summary"), summaryList(c.last_summary)),
        outboxSection(c),
        checkpointsSection(c)),
      buttons);
  }

  // What the state still holds for names the configuration no longer has.
  function renderOrphans() {
    const box = $("orphans");
    box.hidden = state.orphans.length === 0;
    box.replaceChildren(...(state.orphans.length ? [
      el("p", null, "Not in the configuration, still in the state:"),
      el("ul", null, ...state.orphans.map((o) =>
        el("li", null, el("code", null, o.name), " (" + (o.holds || []).join(", ") + ")"))),
      el("p", null, "Run ", el("code", null, "connector-host state prune -c FILE"),
        " on the stopped host to list and remove them."),
    ] : []));
  }

  function renderConnectors() {
    renderOrphans();
    const list = state.connectors.filter((c) => c.kind === "connector");
    $("connector-cards").replaceChildren(...(list.length ? list.map(connectorCard)
      : [el("p", { class: "empty" }, "No connector is configured.")]));
  }

  // ---- polling ----

  async function load() {
    const r = await api("GET", "/api/v1/connectors");
    state.connectors = (r && r.connectors) || [];
    state.orphans = (r && r.orphans) || [];
    if (state.tab === "connectivity") {
      await Promise.all(connections().map(async (c) => {
        const h = await api("GET", connectorPath(c.name) + "/history?limit=20");
        state.history[c.name] = (h && h.history) || [];
      }));
    } else if (state.tab === "users") {
      await loadUsers();
    } else if (state.tab === "connectors") {
      await Promise.all(state.connectors.filter((c) => c.kind === "connector")
        .flatMap((c) => [loadOutbox(c.name), loadCheckpoints(c.name)]));
    }
  }

  function render() {
    if (state.tab === "connectivity") renderConnectivity();
    else if (state.tab === "users") renderUsers();
    else renderConnectors();
  }

  // One load at a time; the next poll is planned after this one ends, so a slow host gets
  // fewer requests, not more.
  async function refresh() {
    clearTimeout(state.timer);
    if (!sessionStorage.getItem(TOKEN_KEY)) return;
    if (state.inFlight) {
      state.again = true;
      return;
    }
    state.inFlight = true;
    try {
      await load();
      render();
      document.body.dataset.loaded = String(Date.now());
    } catch (e) {
      if (e.status !== 401) say("The host did not answer: " + e.message, "bad");
    } finally {
      state.inFlight = false;
      if (state.again) {
        state.again = false;
        refresh();
      } else if (!document.hidden && sessionStorage.getItem(TOKEN_KEY)) {
        state.timer = setTimeout(refresh, POLL_MS);
      }
    }
  }

  document.addEventListener("visibilitychange", () => {
    if (document.hidden) clearTimeout(state.timer);
    else refresh();
  });

  // The OAuth window lands on /oauth/callback of this host; look at once when it closes or the
  // admin comes back to this window.
  window.addEventListener("focus", () => refresh());

  // ---- tabs and sign-in ----

  function showTab(tab) {
    state.tab = tab;
    for (const b of document.querySelectorAll(".tab")) {
      b.classList.toggle("active", b.dataset.tab === tab);
      b.setAttribute("aria-selected", b.dataset.tab === tab ? "true" : "false");
    }
    for (const v of ["connectivity", "users", "connectors"]) $("view-" + v).hidden = v !== tab;
    if (location.hash !== "#" + tab) history.replaceState(null, "", "#" + tab);
    refresh();
  }

  function signedIn() {
    $("sign-in").hidden = true;
    $("tabs").hidden = false;
    $("sign-out").hidden = false;
    const tab = location.hash.slice(1);
    showTab(["connectivity", "users", "connectors"].includes(tab) ? tab : "connectivity");
  }

  function signOut(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    clearTimeout(state.timer);
    $("tabs").hidden = true;
    $("sign-out").hidden = true;
    $("banner").hidden = true;
    for (const v of ["connectivity", "users", "connectors"]) $("view-" + v).hidden = true;
    $("sign-in").hidden = false;
    $("sign-in-error").hidden = !message;
    $("sign-in-error").textContent = message || "";
    $("token").value = "";
    $("token").focus();
  }

  $("sign-in-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const token = $("token").value.trim();
    if (!token) return;
    sessionStorage.setItem(TOKEN_KEY, token);
    try {
      await api("GET", "/api/v1/connectors");
      signedIn();
    } catch (e) {
      if (e.status !== 401) {
        sessionStorage.removeItem(TOKEN_KEY);
        $("sign-in-error").hidden = false;
        $("sign-in-error").textContent = "The host did not answer: " + e.message;
      }
    }
  });
  $("sign-out").addEventListener("click", () => signOut(""));
  for (const b of document.querySelectorAll(".tab")) {
    b.addEventListener("click", () => showTab(b.dataset.tab));
  }

  $("users-connector").addEventListener("change", (ev) => {
    state.users.connector = ev.target.value;
    state.users.offset = 0;
    refresh();
  });
  $("users-status").addEventListener("change", (ev) => {
    state.users.status = ev.target.value;
    state.users.offset = 0;
    refresh();
  });
  let searchTimer = 0;
  $("users-search").addEventListener("input", (ev) => {
    clearTimeout(searchTimer);
    // Wait for a pause in typing: one request per search, not one per key.
    searchTimer = setTimeout(() => {
      state.users.q = ev.target.value.trim();
      state.users.offset = 0;
      refresh();
    }, 300);
  });
  $("users-prev").addEventListener("click", () => {
    state.users.offset = Math.max(0, state.users.offset - USERS_PAGE);
    refresh();
  });
  $("users-next").addEventListener("click", () => {
    state.users.offset += USERS_PAGE;
    refresh();
  });
  $("user-detail-close").addEventListener("click", () => {
    state.users.selected = "";
    renderUsers();
  });

  if (sessionStorage.getItem(TOKEN_KEY)) signedIn();
  else signOut("");
})();
