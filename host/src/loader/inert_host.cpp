// A chp_host whose callbacks do nothing: enough to call chp_plugin_entry and read the
// descriptor when no runtime (state store, HTTP client, scheduler) exists.
#include "chost/loader/inert_host.hpp"

namespace chost::loader {
namespace {

void log_noop(chp_host_ctx*, chp_log_level, chp_str) {}
int call_cancelled_always(const chp_call*) { return 1; }
uint64_t call_remaining_none(const chp_call*) { return 0; }
void call_string_noop(chp_call*, chp_str) {}
chp_status_code state_get_unsupported(chp_host_ctx*, chp_str, chp_sink, void*) {
  return CHP_ERR_UNSUPPORTED;
}
chp_status_code txn_begin_unsupported(chp_host_ctx*, chp_txn** out_txn) {
  if (out_txn != nullptr) *out_txn = nullptr;
  return CHP_ERR_UNSUPPORTED;
}
chp_status_code txn_put_unsupported(chp_txn*, chp_str, chp_str) { return CHP_ERR_UNSUPPORTED; }
chp_status_code txn_delete_unsupported(chp_txn*, chp_str) { return CHP_ERR_UNSUPPORTED; }
chp_status_code txn_upsert_unsupported(chp_txn*, chp_str, chp_str, chp_str, int) {
  return CHP_ERR_UNSUPPORTED;
}
chp_status_code txn_outbox_add_unsupported(chp_txn*, chp_str, chp_str, chp_str) {
  return CHP_ERR_UNSUPPORTED;
}
chp_status_code txn_outbox_done_unsupported(chp_txn*, int64_t, chp_str) {
  return CHP_ERR_UNSUPPORTED;
}
chp_status_code txn_commit_unsupported(chp_txn*) { return CHP_ERR_UNSUPPORTED; }
void txn_rollback_noop(chp_txn*) {}
chp_status_code record_get_unsupported(chp_host_ctx*, chp_str, chp_str, chp_sink, void*) {
  return CHP_ERR_UNSUPPORTED;
}
chp_status_code outbox_pending_unsupported(chp_host_ctx*, uint32_t, chp_sink, void*) {
  return CHP_ERR_UNSUPPORTED;
}
chp_status_code secret_get_unsupported(chp_host_ctx*, chp_str, chp_sink, void*, uint64_t*) {
  return CHP_ERR_UNSUPPORTED;
}
chp_status_code secret_put_unsupported(chp_host_ctx*, chp_str, chp_str, uint64_t) {
  return CHP_ERR_UNSUPPORTED;
}
void report_status_noop(chp_host_ctx*, chp_str) {}
void report_subject_noop(chp_host_ctx*, chp_str, chp_str, chp_subject_state, chp_str) {}
void metric_noop(chp_host_ctx*, chp_str, double) {}
chp_status_code http_request_unsupported(chp_host_ctx*, chp_call*, const chp_http_request*,
                                         const chp_http_response_sink*, uint32_t* out_status) {
  if (out_status != nullptr) *out_status = 0;
  return CHP_ERR_UNSUPPORTED;
}
chp_status_code connection_token_unsupported(chp_host_ctx*, chp_call*, uint32_t, chp_sink, void*) {
  return CHP_ERR_UNSUPPORTED;
}
void call_set_retry_after_noop(chp_call*, uint64_t) {}
chp_status_code remove_subject_unsupported(chp_host_ctx*, chp_str) { return CHP_ERR_UNSUPPORTED; }
chp_status_code record_list_ids_unsupported(chp_host_ctx*, chp_str, chp_str, uint32_t, chp_sink,
                                            void*) {
  return CHP_ERR_UNSUPPORTED;
}

chp_host make_inert_host() {
  chp_host h{};
  h.struct_size = sizeof(chp_host);
  h.abi_major = CHP_ABI_MAJOR;
  h.abi_minor = CHP_ABI_MINOR;
  h.log = log_noop;
  h.call_cancelled = call_cancelled_always;
  h.call_remaining_ms = call_remaining_none;
  h.call_set_error = call_string_noop;
  h.call_set_output = call_string_noop;
  h.state_get = state_get_unsupported;
  h.txn_begin = txn_begin_unsupported;
  h.txn_put = txn_put_unsupported;
  h.txn_delete = txn_delete_unsupported;
  h.txn_upsert_record = txn_upsert_unsupported;
  h.txn_outbox_add = txn_outbox_add_unsupported;
  h.txn_outbox_done = txn_outbox_done_unsupported;
  h.txn_commit = txn_commit_unsupported;
  h.txn_rollback = txn_rollback_noop;
  h.record_get = record_get_unsupported;
  h.outbox_pending = outbox_pending_unsupported;
  h.secret_get = secret_get_unsupported;
  h.secret_put = secret_put_unsupported;
  h.report_status = report_status_noop;
  h.report_subject = report_subject_noop;
  h.metric_add = metric_noop;
  h.metric_set = metric_noop;
  h.http_request = http_request_unsupported;
  h.connection_token = connection_token_unsupported;
  h.call_set_retry_after = call_set_retry_after_noop;
  h.remove_subject = remove_subject_unsupported;
  h.record_list_ids = record_list_ids_unsupported;
  return h;
}

}  // namespace

const chp_host* inert_host() {
  static const chp_host host = make_inert_host();
  return &host;
}

}  // namespace chost::loader
