/*
 * connector-host plugin ABI, version 1.6.
 *
 * The only contract between the host and a connector plugin. Pure C so that any
 * compiler and any language with a C FFI can implement a plugin; C++ authors use the
 * header-only SDK (sdk/) on top of it.
 *
 * Naming: `chp_plugin` members are implemented by the plugin (the plugin's "on_"
 * side); `chp_host` members are implemented by the host (callbacks).
 *
 * Versioning rules
 *  - Every struct starts with {struct_size, abi_major, abi_minor}.
 *  - A minor bump only appends members at the end of structs and adds constants.
 *    A reader never touches a member that lies beyond the struct_size the writer
 *    filled in (see CHP_HAS_MEMBER), so a plugin built for 1.x loads in every 1.y
 *    host with y >= x, and the host treats missing members as absent.
 *  - Anything else (removing, reordering, changing a type) is a major bump.
 *  - plugin-api/abi.lock holds the SHA-256 of this file for the current version; a test
 *    fails when the file changes without a version bump.
 *
 * Buffers
 *  - chp_str is {ptr, len}, not NUL-terminated unless said so. A chp_str argument is
 *    borrowed: it is valid only for the duration of the call that receives it.
 *  - Data flowing from the host to the plugin arrives through a chp_sink callback
 *    supplied by the plugin; the bytes are valid only during that callback.
 *  - Who allocates frees: the host never frees plugin memory and vice versa.
 *
 * Instances (since 1.1, for plugins of every 1.x)
 *  - A connector whose plugin has CHP_CAP_PROVIDES_CONNECTION and that is configured
 *    without `uses:` gets TWO instances, created from the same config, each with its own
 *    chp_host_ctx over the same state namespace (the connector's name):
 *      the credential instance receives only authorize, refresh and disable;
 *      the sync instance receives only sync.
 *    Every other connector has one instance, which receives sync and disable.
 *  - Disabling a connector stops its syncs and destroys or re-creates its sync instance
 *    before it syncs again: a plugin never sees sync after disable on an instance.
 *  - disable reaches the plugin once per enabled -> disabled change; the host records it
 *    durably, so a second disable (also after a restart) does not call the hook again.
 *
 * Threads
 *  - chp_plugin_entry is called once per library, on the host's loader thread.
 *  - Hooks (create, authorize, refresh, disable, sync, destroy) run on host threads. The
 *    host never runs two hooks of the same instance at once and never calls a hook from
 *    inside another hook (no re-entry). Hooks of different instances may run concurrently
 *    on different threads; in particular a provider's credential instance may refresh
 *    while its sync instance syncs, so state shared by instances (globals, statics) must
 *    be thread-safe. Members of one instance need no locking.
 *  - Host callbacks are thread-safe. Callbacks that take a chp_call may only be used
 *    during that hook call, from the thread running it.
 *  - The only callback that may block on another instance is connection_token (see
 *    there): at most until the calling hook's deadline or cancellation.
 *
 * Errors
 *  - Hooks return a chp_status_code. On failure they may attach a message with
 *    chp_host.call_set_error. No exception or longjmp may cross this boundary.
 */
#ifndef CONNECTOR_HOST_PLUGIN_API_H_
#define CONNECTOR_HOST_PLUGIN_API_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CHP_ABI_MAJOR 1
#define CHP_ABI_MINOR 6
#define CHP_ABI_VERSION(major, minor) ((((uint32_t)(major)) << 16) | ((uint32_t)(minor)))
#define CHP_ABI_VERSION_CURRENT CHP_ABI_VERSION(CHP_ABI_MAJOR, CHP_ABI_MINOR)

/* Name of the single symbol a plugin exports. */
#define CHP_ENTRY_SYMBOL "chp_plugin_entry"

#if defined(_WIN32)
#define CHP_EXPORT __declspec(dllexport)
#else
#define CHP_EXPORT __attribute__((visibility("default")))
#endif

/* True when the struct pointed to by `p` (of type `type`) was filled in far enough to
 * contain `member`. Readers must check this before reading any member added after 1.0. */
#define CHP_HAS_MEMBER(p, type, member) \
  ((p)->struct_size >= offsetof(type, member) + sizeof(((type*)0)->member))

/* Common header of every versioned struct. */
#define CHP_STRUCT_HEADER \
  uint32_t struct_size;   \
  uint16_t abi_major;     \
  uint16_t abi_minor

/* ----------------------------------------------------------------------------------
 * Basic types
 * --------------------------------------------------------------------------------*/

/* A borrowed byte string. */
typedef struct chp_str {
  const char* ptr;
  size_t len;
} chp_str;

/* Receives bytes from the host. OWNERSHIP: `data` is valid only during the call.
 * Called on the thread that made the host call. */
typedef void (*chp_sink)(void* user, chp_str data);

/* Result of a hook or a host callback. Zero is deliberately not a valid value so that
 * an uninitialised status is never mistaken for success. */
typedef uint32_t chp_status_code;
#define CHP_OK ((chp_status_code)1)
/* Worth retrying later with backoff: network errors, 5xx, rate limits, deadlines. */
#define CHP_ERR_TRANSIENT ((chp_status_code)2)
/* Credentials were rejected (e.g. invalid_grant): an admin must re-authorize. */
#define CHP_ERR_AUTH_REVOKED ((chp_status_code)3)
/* Configuration is invalid: fix the YAML; retrying will not help. */
#define CHP_ERR_CONFIG ((chp_status_code)4)
/* Anything else that will not succeed on retry. */
#define CHP_ERR_PERMANENT ((chp_status_code)5)
/* Returned by host callbacks only. */
#define CHP_ERR_NOT_FOUND ((chp_status_code)6)
#define CHP_ERR_CONFLICT ((chp_status_code)7)  /* compare-and-swap lost */
#define CHP_ERR_CANCELLED ((chp_status_code)8) /* the call was cancelled / deadline */
#define CHP_ERR_UNSUPPORTED ((chp_status_code)9)

typedef uint32_t chp_log_level;
#define CHP_LOG_TRACE ((chp_log_level)1)
#define CHP_LOG_DEBUG ((chp_log_level)2)
#define CHP_LOG_INFO ((chp_log_level)3)
#define CHP_LOG_WARN ((chp_log_level)4)
#define CHP_LOG_ERROR ((chp_log_level)5)

/* State of one subject (e.g. an end user) of a connector instance. */
typedef uint32_t chp_subject_state;
#define CHP_SUBJECT_ACTIVE ((chp_subject_state)1)
#define CHP_SUBJECT_SUSPENDED ((chp_subject_state)2) /* waiting on a connection */
#define CHP_SUBJECT_DISABLED ((chp_subject_state)3)  /* failed; detail says why */

/* Capability bits of a plugin descriptor. */
#define CHP_CAP_PROVIDES_CONNECTION ((uint64_t)1 << 0)   /* authorize/refresh own credentials */
#define CHP_CAP_USES_CONNECTION ((uint64_t)1 << 1)       /* borrows another instance's token */
#define CHP_CAP_SUBJECTS ((uint64_t)1 << 2)              /* reports per-subject status */
#define CHP_CAP_INTERACTIVE_AUTHORIZE ((uint64_t)1 << 3) /* browser redirect flow */
#define CHP_CAP_WRITE_BACK ((uint64_t)1 << 4)            /* consumes the outbox */
/* Since 1.3: a `uses:` consumer that checks a freshly authorized connection (see authorize,
 * step "check_connection"). Hosts before 1.3 never ask. */
#define CHP_CAP_CHECKS_CONNECTION ((uint64_t)1 << 5)

/* Opaque handles. */
typedef struct chp_instance chp_instance; /* plugin-owned; one or two per connector (above) */
typedef struct chp_host_ctx chp_host_ctx; /* host-owned, one per instance */
typedef struct chp_call chp_call;         /* host-owned, one per hook call */
typedef struct chp_txn chp_txn;           /* host-owned state transaction */

/* ----------------------------------------------------------------------------------
 * HTTP through the host's client (proxy, CA bundle, timeouts, retries of idempotent
 * requests on connection errors, metrics and secret redaction live in one place).
 * --------------------------------------------------------------------------------*/

typedef struct chp_http_header {
  chp_str name;
  chp_str value;
} chp_http_header;

/* Request flags. */
#define CHP_HTTP_NO_RETRY ((uint32_t)1 << 0)       /* never retry, even idempotent */
#define CHP_HTTP_BODY_IS_SECRET ((uint32_t)1 << 1) /* never log the request body */

typedef struct chp_http_request {
  CHP_STRUCT_HEADER;
  chp_str method; /* "GET", "POST", ... */
  chp_str url;    /* absolute http(s) URL */
  const chp_http_header* headers;
  size_t header_count;
  chp_str body;
  uint32_t timeout_ms; /* 0: the host default; always capped by the call's deadline */
  uint32_t flags;
} chp_http_request;

/* Response delivery. The host calls on_header for each response header, then on_body
 * for each chunk of the body, on the calling thread, before http_request returns.
 * OWNERSHIP: all chp_str arguments are valid only during the callback. */
typedef struct chp_http_response_sink {
  CHP_STRUCT_HEADER;
  void* user;
  void (*on_header)(void* user, chp_str name, chp_str value);
  void (*on_body)(void* user, chp_str chunk);
  /* Since 1.5 (the host reads it with CHP_HAS_MEMBER; NULL or absent: not called). Called once,
   * after on_body and before http_request returns CHP_OK, with what the host's client spent on
   * this request: `attempts` requests sent (1 when it was not retried; the answer delivered is
   * the last one's) and `waited_ms` spent waiting between them (Retry-After or backoff), so a
   * plugin's request and rate budgets see the host's retries. Not called on a transport
   * failure. Thread: the thread that called http_request. */
  void (*on_attempts)(void* user, uint32_t attempts, uint64_t waited_ms);
} chp_http_response_sink;

/* ----------------------------------------------------------------------------------
 * Host callbacks
 * --------------------------------------------------------------------------------*/

typedef struct chp_host {
  CHP_STRUCT_HEADER;

  /* Logging. The host adds the connector name and redacts known secrets.
   * Thread: any. */
  void (*log)(chp_host_ctx* ctx, chp_log_level level, chp_str message);

  /* --- Call control (only during the hook call that received `call`) --- */

  /* Nonzero once the host wants the hook to stop (shutdown, disable, deadline). Hooks
   * check it between pages/batches and return CHP_ERR_CANCELLED.
   * In authorize, refresh and disable it only says "do not start a request": once the
   * hook has sent an http_request it returns 0 for the rest of the call, so that the
   * hook finishes and hands over what the answer carried (a token endpoint that rotates
   * refresh tokens has already invalidated the old one). */
  int (*call_cancelled)(const chp_call* call);
  /* Milliseconds left before the hook's deadline (0 when passed). */
  uint64_t (*call_remaining_ms)(const chp_call* call);
  /* Attach a human-readable message to the hook's failure status. Copied. Must not
   * contain secrets. The last call wins. */
  void (*call_set_error)(chp_call* call, chp_str message);
  /* Set the hook's JSON output (authorize/refresh: credentials and identity; sync:
   * a summary). Copied. The last call wins. */
  void (*call_set_output)(chp_call* call, chp_str json);

  /* --- Key/value state in the instance's namespace (durable, survives restarts) --- */

  /* CHP_OK and one sink call with the value, or CHP_ERR_NOT_FOUND. */
  chp_status_code (*state_get)(chp_host_ctx* ctx, chp_str key, chp_sink sink, void* user);

  /* Transactions group state writes, mirrored records and outbox changes so that a
   * sync batch's data and checkpoint commit together. Every write goes through a
   * transaction. `txn` must be committed or rolled back before the hook returns; the
   * host rolls back any that is left open. */
  chp_status_code (*txn_begin)(chp_host_ctx* ctx, chp_txn** out_txn);
  chp_status_code (*txn_put)(chp_txn* txn, chp_str key, chp_str value);
  chp_status_code (*txn_delete)(chp_txn* txn, chp_str key);
  /* Mirror a record into the collection (a table named after it). `json` is the
   * record; `deleted` nonzero marks it soft-deleted. Upsert by id. */
  chp_status_code (*txn_upsert_record)(chp_txn* txn, chp_str collection, chp_str id, chp_str json,
                                       int deleted);
  /* Queue a change to push to the remote system (write-back). */
  chp_status_code (*txn_outbox_add)(chp_txn* txn, chp_str collection, chp_str id, chp_str json);
  /* Outbox entry handled: `error` empty removes it; otherwise it stays, with the error
   * kept for an admin, and is not offered again until an admin retries it. */
  chp_status_code (*txn_outbox_done)(chp_txn* txn, int64_t entry_id, chp_str error);
  /* Durable (fsync'd) on CHP_OK. Ends the transaction either way. */
  chp_status_code (*txn_commit)(chp_txn* txn);
  void (*txn_rollback)(chp_txn* txn);

  /* Read one mirrored record: one sink call with its JSON, or CHP_ERR_NOT_FOUND. */
  chp_status_code (*record_get)(chp_host_ctx* ctx, chp_str collection, chp_str id, chp_sink sink,
                                void* user);
  /* Pending outbox entries, oldest first, at most `limit`: one sink call per entry with
   * {"entry_id":N,"collection":"...","id":"...","record":{...}}. */
  chp_status_code (*outbox_pending)(chp_host_ctx* ctx, uint32_t limit, chp_sink sink, void* user);

  /* --- Secrets: encrypted at rest, never logged --- */

  /* CHP_OK with one sink call and *out_version set, or CHP_ERR_NOT_FOUND. */
  chp_status_code (*secret_get)(chp_host_ctx* ctx, chp_str name, chp_sink sink, void* user,
                                uint64_t* out_version);
  /* Compare-and-swap: stores `value` only if the current version is `expected_version`
   * (0: must not exist). CHP_ERR_CONFLICT otherwise. Durable on CHP_OK. */
  chp_status_code (*secret_put)(chp_host_ctx* ctx, chp_str name, chp_str value,
                                uint64_t expected_version);

  /* --- Status and metrics --- */

  /* Instance-level progress/status line shown to admins. */
  void (*report_status)(chp_host_ctx* ctx, chp_str message);
  /* Per-subject (e.g. end user) status with a detail such as the last error. */
  void (*report_subject)(chp_host_ctx* ctx, chp_str subject_id, chp_str display_name,
                         chp_subject_state state, chp_str detail);
  /* Prometheus counter increment / gauge set. `name` must match [a-z_][a-z0-9_]*; the
   * host prefixes it with chp_plugin_ and labels it with the connector name. */
  void (*metric_add)(chp_host_ctx* ctx, chp_str name, double delta);
  void (*metric_set)(chp_host_ctx* ctx, chp_str name, double value);

  /* --- HTTP --- */

  /* Performs one request. *out_status is the HTTP status. Returns CHP_OK when a
   * response was received (whatever its status), CHP_ERR_TRANSIENT on transport
   * errors, CHP_ERR_CANCELLED when the call was cancelled, with the reason in the
   * call's error. In sync, the request's timeout is capped by the call's deadline and
   * cancellation aborts it. In authorize, refresh and disable a request that was sent is
   * neither cancelled nor cut by the deadline: the host waits for its answer within its
   * own long bound (host.timeouts.token_response).
   * Retries by the host: only idempotent methods (GET, HEAD, PUT, DELETE, OPTIONS, TRACE)
   * without CHP_HTTP_NO_RETRY, only after a connection-level failure or a 429, 500, 502, 503 or
   * 504 answer, at most 2 more attempts, waiting the answer's Retry-After (up to 30 s; a longer
   * one is not waited for and that answer is returned) or else 250 ms doubling, never past the
   * request's timeout. POST and PATCH are never retried. The answer delivered is the last;
   * since 1.5 the response sink's on_attempts says how many were sent and how long it waited. */
  chp_status_code (*http_request)(chp_host_ctx* ctx, chp_call* call,
                                  const chp_http_request* request,
                                  const chp_http_response_sink* response, uint32_t* out_status);

  /* --- Borrowed connection (plugins with CHP_CAP_USES_CONNECTION) --- */

  /* The public part of the used connection's credentials as JSON, e.g.
   * {"access_token":"...","instance_url":"...","token_type":"Bearer"}. Called from sync,
   * by a `uses:` consumer and by a provider's own sync instance alike.
   * `flags` CHP_TOKEN_REJECTED: the token last returned was rejected (HTTP 401); the
   * host refreshes once (single-flight, shared with every user of the connection) and
   * returns the new token. CHP_ERR_AUTH_REVOKED when the connection is not connected:
   * the host suspends the calling instance until it is.
   * Blocking: returns at once with a valid token, or waits for the refresh, which runs on
   * the provider's credential instance on a host thread, at most until this call's
   * deadline or cancellation (then CHP_ERR_CANCELLED; the refresh goes on and its
   * outcome is kept). It never waits for any instance's sync. Not available in
   * authorize, refresh or disable (CHP_ERR_UNSUPPORTED). */
  chp_status_code (*connection_token)(chp_host_ctx* ctx, chp_call* call, uint32_t flags,
                                      chp_sink sink, void* user);

  /* --- Since 1.5 (read with CHP_HAS_MEMBER: a 1.0-1.4 host's table ends before these) --- */

  /* With a CHP_ERR_TRANSIENT return of sync: "run me again in `delay_ms`", e.g. a rate limit's
   * Retry-After or a quota window the plugin knows. The scheduler then schedules the next run
   * at that delay instead of its restart backoff (the status shows the time); the failure still
   * counts as one. Ignored with any other status and in other hooks. The last call wins; 0
   * clears it. Only during the hook call that received `call`, on its thread. */
  void (*call_set_retry_after)(chp_call* call, uint64_t delay_ms);

  /* Removes one of this instance's subjects (report_subject's id), e.g. a user who left the
   * organisation: its status row goes, with the admin's on/off switch for it, from the store and
   * from status, the admin API and /metrics. A subject reported again later starts afresh.
   * CHP_OK also when there was no such subject. What the host does NOT remove is the plugin's:
   * the subject's checkpoints (kv keys) and the records it mirrored carry no subject in the
   * host, so the plugin deletes those in its own transaction, committed BEFORE it calls this
   * (a crash in between leaves the row, and the next run removes it again). Durable on CHP_OK.
   * Thread: any. Not inside an open transaction's commit (it is not part of one). */
  chp_status_code (*remove_subject)(chp_host_ctx* ctx, chp_str subject_id);

  /* --- Since 1.6 (read with CHP_HAS_MEMBER: a 1.0-1.5 host's table ends before this) --- */

  /* Pages through the ids of one of this instance's mirror collections, e.g. to reconcile them
   * against the ids the source still has: one sink call per live (not deleted) record whose id
   * is greater than `after_id` (empty: from the start), in ascending byte order, at most `limit`
   * (0: CHP_ERR_PERMANENT). Pass the last id back as `after_id` for the next page; fewer than
   * `limit` calls means the end. CHP_OK with no call when the collection does not exist. Reads
   * committed data only (not an open transaction's writes).
   * OWNERSHIP: each id is valid only during its sink call. Thread: any. */
  chp_status_code (*record_list_ids)(chp_host_ctx* ctx, chp_str collection, chp_str after_id,
                                     uint32_t limit, chp_sink sink, void* user);
} chp_host;

#define CHP_TOKEN_REJECTED ((uint32_t)1 << 0)

/* ----------------------------------------------------------------------------------
 * The plugin descriptor
 * --------------------------------------------------------------------------------*/

typedef struct chp_plugin {
  CHP_STRUCT_HEADER;

  /* NUL-terminated, static for the library's lifetime. `name` matches
   * [a-z][a-z0-9-]* and is what the YAML `plugin:` key refers to. */
  const char* name;
  const char* version; /* semver of the plugin itself */
  const char* description;
  /* JSON Schema (draft 2020-12 subset) of the connector's `config:` block. Properties
   * carrying "x-secret": true must be given as ${env:..} / ${file:..} references. */
  const char* config_schema_json;
  uint64_t capabilities; /* CHP_CAP_* bits */

  /* Creates an instance from its validated config (JSON). `ctx` stays valid until
   * destroy. Returns CHP_ERR_CONFIG with a message naming the field on bad config.
   * OWNERSHIP: *out_instance belongs to the plugin until destroy. */
  chp_status_code (*create)(chp_host_ctx* ctx, chp_call* call, chp_str config_json,
                            chp_instance** out_instance);

  /* Authorizes the connection. `input_json` carries the step:
   *   {"step":"start","redirect_uri":"..."} -> output {"authorize_url":"...",
   *      "state":"..."} for interactive flows, or credentials for non-interactive ones;
   *   {"step":"callback","code":"...","state":"...","redirect_uri":"..."}
   *      -> output credentials.
   * Credentials output: {"credentials":{...secret...},"connection":{...public, e.g.
   * instance_url...},"identity":{"user_id","username","org_id"},"expires_at_ms":N,
   * "warnings":[...]}. The host stores credentials encrypted.
   * Since 1.3, consumers with CHP_CAP_CHECKS_CONNECTION: once an admin's authorize of the
   * connection they use has stored its credentials, the host creates a short-lived instance
   * of each such consumer, also of a disabled one (admins re-authorize while it is off), with
   * its config, its state namespace and the borrowed connection, and calls authorize with
   *   {"step":"check_connection","connection":"<name>","identity":{...}}
   * The plugin checks what it needs of the authorized account (connection_token works) and
   * answers {"warnings":[...]} (may be empty), or fails with a message saying what is
   * missing. The host puts both into the authorize answer for the admin, names the consumer,
   * and records a failure as the consumer's last error; it does not undo the authorization
   * (other consumers may be satisfied; a provider refuses a login itself). The instance is
   * destroyed right after; it never syncs. */
  chp_status_code (*authorize)(chp_instance* instance, chp_call* call, chp_str input_json);

  /* Refreshes credentials. `input_json` = {"credentials":{...}}. Output as authorize;
   * an "identity" it leaves out (or members it leaves out) keeps what the host has.
   * A rotated refresh token must be in the output; the host commits it durably before
   * handing out the new access token. CHP_ERR_AUTH_REVOKED when the grant is dead.
   * Runs on the credential instance (see Instances), never inside a sync. */
  chp_status_code (*refresh)(chp_instance* instance, chp_call* call, chp_str input_json);

  /* Stops the connector: `input_json` = {"credentials":{...}} (may be empty). Called once
   * per disable (see Instances) and still idempotent. Checkpoints stay so that enabling
   * resumes where it stopped. */
  chp_status_code (*disable)(chp_instance* instance, chp_call* call, chp_str input_json);

  /* One sync run. `input_json` = {"reason":"schedule|manual|resume"}, and since 1.2 (older
   * plugins ignore these keys; hosts before 1.2 never send them):
   *   "disabled_subjects": [ids]  subjects an admin switched off: do no work for them and do
   *                               not report them (the host shows them "Disabled");
   *   "subjects": [ids]           an admin asked to sync these subjects now: work on these
   *                               only (reason "manual"). Absent: every subject.
   * Commits progress in transactions as it goes; returns CHP_ERR_CANCELLED promptly when
   * cancelled. */
  chp_status_code (*sync)(chp_instance* instance, chp_call* call, chp_str input_json);

  /* Frees the instance. Never fails. Called exactly once per created instance, before
   * the library is unloaded. */
  void (*destroy)(chp_instance* instance);

  /* --- Since 1.4 (read with CHP_HAS_MEMBER; NULL or absent: the plugin has no check) --- */

  /* Checks a connector's config without creating an instance: dry, no host callbacks, no
   * network, no files the config does not name. `config_json` is what create would receive
   * (schema-validated, defaults filled, secrets resolved). Returns CHP_OK when the plugin
   * accepts it, CHP_ERR_CONFIG when it does not, after one call of `errors` with
   *   {"errors":[{"pointer":"/page_size","message":"must be a multiple of 10"}, ...]}
   * where each pointer is a JSON Pointer (RFC 6901) into the config ("" for the whole block)
   * and each message says what is wrong without echoing secret values. `check-config` prints
   * them at the file:line:column of the offending key. Any other status is a failure of the
   * check itself. OWNERSHIP: the bytes passed to `errors` are the plugin's, valid during the
   * call. Thread: any host thread; may run concurrently with any hook of any instance. */
  chp_status_code (*validate)(chp_str config_json, chp_sink errors, void* user);
} chp_plugin;

/* The one required export.
 * `host` stays valid until the library is unloaded; `host_abi` is
 * CHP_ABI_VERSION(major, minor) of the host. Returns the descriptor (static storage),
 * or NULL when the plugin cannot work with this host. Must not do fallible work
 * beyond that check. Thread: the host's loader thread, once per load. */
typedef const chp_plugin* (*chp_plugin_entry_fn)(const chp_host* host, uint32_t host_abi);

#ifdef __cplusplus
}
#endif

#endif /* CONNECTOR_HOST_PLUGIN_API_H_ */
