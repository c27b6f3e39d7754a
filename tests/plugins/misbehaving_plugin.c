/* test-misbehaving: a plugin that misbehaves in its sync the way its config says, to prove what
 * the host survives in each isolation mode (tests/integration/isolation_test.cpp):
 *   {"misbehave": "none"}     a good citizen: counts its syncs in its state (a committed
 *                             transaction), logs "sync N", outputs {"syncs":N}
 *   {"misbehave": "segfault"} writes through a null pointer
 *   {"misbehave": "abort"}    calls abort()
 *   {"misbehave": "hang"}     sleeps for 120 s, deaf to cancellation
 *   {"misbehave": "leak", "leak_mb": N}  allocates and touches N MiB (default 512) in 8 MiB steps,
 *                             never freed, then succeeds
 *   {"misbehave": "stdout"}   writes lines to stdout (and flushes), then succeeds like "none"
 * Written against the raw ABI so the test does not depend on the SDK. */
#include <connector_host/plugin_api.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const chp_host* g_host;

enum misbehaviour { MB_NONE, MB_SEGFAULT, MB_ABORT, MB_HANG, MB_LEAK, MB_STDOUT };

struct chp_instance {
  chp_host_ctx* ctx;
  enum misbehaviour what;
  long leak_mb;
};

static chp_str str(const char* s) {
  chp_str out = {s, strlen(s)};
  return out;
}

static int contains(chp_str haystack, const char* needle) {
  size_t n = strlen(needle);
  if (haystack.ptr == NULL || haystack.len < n) return 0;
  for (size_t i = 0; i + n <= haystack.len; ++i) {
    if (memcmp(haystack.ptr + i, needle, n) == 0) return 1;
  }
  return 0;
}

/* The number after "leak_mb": in the config, or `fallback`. */
static long leak_mb_of(chp_str config, long fallback) {
  static const char key[] = "\"leak_mb\":";
  for (size_t i = 0; i + sizeof key - 1 <= config.len; ++i) {
    if (memcmp(config.ptr + i, key, sizeof key - 1) == 0) {
      char digits[16] = {0};
      size_t j = i + sizeof key - 1, k = 0;
      while (j < config.len && k + 1 < sizeof digits && config.ptr[j] >= '0' &&
             config.ptr[j] <= '9') {
        digits[k++] = config.ptr[j++];
      }
      return k > 0 ? atol(digits) : fallback;
    }
  }
  return fallback;
}

static void sleep_ms(long ms) {
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&t, NULL);
}

static chp_status_code mb_create(chp_host_ctx* ctx, chp_call* call, chp_str config_json,
                                 chp_instance** out_instance) {
  (void)call;
  chp_instance* inst = (chp_instance*)calloc(1, sizeof *inst);
  if (inst == NULL) return CHP_ERR_PERMANENT;
  inst->ctx = ctx;
  inst->what = contains(config_json, "\"segfault\"") ? MB_SEGFAULT
               : contains(config_json, "\"abort\"")  ? MB_ABORT
               : contains(config_json, "\"hang\"")   ? MB_HANG
               : contains(config_json, "\"leak\"")   ? MB_LEAK
               : contains(config_json, "\"stdout\"") ? MB_STDOUT
                                                     : MB_NONE;
  inst->leak_mb = leak_mb_of(config_json, 512);
  *out_instance = inst;
  return CHP_OK;
}

static void read_count(void* user, chp_str data) {
  char digits[24] = {0};
  size_t n = data.len < sizeof digits - 1 ? data.len : sizeof digits - 1;
  memcpy(digits, data.ptr, n);
  *(long*)user = atol(digits);
}

/* The good citizen's sync: state read, a committed transaction, a log line and an output. */
static chp_status_code count_sync(chp_instance* inst, chp_call* call) {
  long syncs = 0;
  g_host->state_get(inst->ctx, str("syncs"), read_count, &syncs);
  ++syncs;
  char text[64];
  snprintf(text, sizeof text, "%ld", syncs);
  chp_txn* txn = NULL;
  chp_status_code st = g_host->txn_begin(inst->ctx, &txn);
  if (st != CHP_OK) return st;
  st = g_host->txn_put(txn, str("syncs"), str(text));
  if (st != CHP_OK) {
    g_host->txn_rollback(txn);
    return st;
  }
  st = g_host->txn_commit(txn);
  if (st != CHP_OK) return st;
  char line[80];
  snprintf(line, sizeof line, "sync %ld", syncs);
  g_host->log(inst->ctx, CHP_LOG_INFO, str(line));
  char out[80];
  snprintf(out, sizeof out, "{\"syncs\":%ld}", syncs);
  g_host->call_set_output(call, str(out));
  return CHP_OK;
}

static chp_status_code mb_sync(chp_instance* inst, chp_call* call, chp_str input) {
  (void)input;
  switch (inst->what) {
    case MB_SEGFAULT:
      g_host->log(inst->ctx, CHP_LOG_INFO, str("about to segfault"));
      /* A sanitizer build catches a null store itself (UBSan reports it, ASan's SIGSEGV handler
         exits with status 1), so the default action is restored and the signal raised: the
         process dies of SIGSEGV exactly as an unsanitized plugin touching a bad pointer does. */
      signal(SIGSEGV, SIG_DFL);
      raise(SIGSEGV);
      return CHP_ERR_PERMANENT;
    case MB_ABORT:
      g_host->log(inst->ctx, CHP_LOG_INFO, str("about to abort"));
      abort();
    case MB_HANG:
      g_host->log(inst->ctx, CHP_LOG_INFO, str("about to hang"));
      for (int i = 0; i < 12000; ++i) sleep_ms(10); /* deliberately deaf to cancel */
      return CHP_OK;
    case MB_LEAK:
      g_host->log(inst->ctx, CHP_LOG_INFO, str("about to leak"));
      for (long mb = 0; mb < inst->leak_mb; mb += 8) {
        char* block = (char*)malloc(8u << 20);
        if (block == NULL) return CHP_ERR_TRANSIENT;
        memset(block, 0x5a, 8u << 20); /* resident, not just reserved */
        sleep_ms(5);
      }
      return count_sync(inst, call);
    case MB_STDOUT:
      printf("stray line one from test-misbehaving\n");
      printf("stray line two from test-misbehaving\n");
      fflush(stdout);
      return count_sync(inst, call);
    case MB_NONE:
      break;
  }
  return count_sync(inst, call);
}

static chp_status_code mb_disable(chp_instance* inst, chp_call* call, chp_str input) {
  (void)inst;
  (void)call;
  (void)input;
  return CHP_OK;
}

static void mb_destroy(chp_instance* inst) { free(inst); }

static const chp_plugin kPlugin = {
    sizeof(chp_plugin),
    CHP_ABI_MAJOR,
    CHP_ABI_MINOR,
    "test-misbehaving",
    "0.0.1",
    "Test plugin: segfaults, aborts, hangs, leaks or writes to stdout in its sync, by config",
    "{\"type\":\"object\",\"properties\":{\"misbehave\":{\"enum\":[\"none\",\"segfault\",\"abort\","
    "\"hang\",\"leak\",\"stdout\"]},\"leak_mb\":{\"type\":\"integer\",\"minimum\":8}}}",
    0,
    mb_create,
    NULL,
    NULL,
    mb_disable,
    mb_sync,
    mb_destroy,
    NULL,
};

CHP_EXPORT const chp_plugin* chp_plugin_entry(const chp_host* host, uint32_t host_abi) {
  if ((host_abi >> 16) != CHP_ABI_MAJOR) return NULL;
  g_host = host;
  return &kPlugin;
}
