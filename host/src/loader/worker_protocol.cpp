// The plugin-worker protocol's hook and callback tables.
#include "worker_protocol.hpp"

namespace chost::loader::wire {
namespace {

constexpr CallbackRow kCallbacks[] = {
    {CallbackOp::kLog, "log", false},
    {CallbackOp::kCallCancelled, "call_cancelled", true},
    {CallbackOp::kCallRemainingMs, "call_remaining_ms", true},
    {CallbackOp::kCallSetError, "call_set_error", false},
    {CallbackOp::kCallSetOutput, "call_set_output", false},
    {CallbackOp::kStateGet, "state_get", true},
    {CallbackOp::kTxnBegin, "txn_begin", true},
    {CallbackOp::kTxnPut, "txn_put", true},
    {CallbackOp::kTxnDelete, "txn_delete", true},
    {CallbackOp::kTxnUpsertRecord, "txn_upsert_record", true},
    {CallbackOp::kTxnOutboxAdd, "txn_outbox_add", true},
    {CallbackOp::kTxnOutboxDone, "txn_outbox_done", true},
    {CallbackOp::kTxnCommit, "txn_commit", true},
    {CallbackOp::kTxnRollback, "txn_rollback", false},
    {CallbackOp::kRecordGet, "record_get", true},
    {CallbackOp::kOutboxPending, "outbox_pending", true},
    {CallbackOp::kSecretGet, "secret_get", true},
    {CallbackOp::kSecretPut, "secret_put", true},
    {CallbackOp::kReportStatus, "report_status", false},
    {CallbackOp::kReportSubject, "report_subject", false},
    {CallbackOp::kMetricAdd, "metric_add", false},
    {CallbackOp::kMetricSet, "metric_set", false},
    {CallbackOp::kHttpRequest, "http_request", true},
    {CallbackOp::kConnectionToken, "connection_token", true},
    {CallbackOp::kCallSetRetryAfter, "call_set_retry_after", false},
    {CallbackOp::kRemoveSubject, "remove_subject", true},
    {CallbackOp::kRecordListIds, "record_list_ids", true},
};
static_assert(std::size(kCallbacks) == static_cast<size_t>(CallbackOp::kEnd) - 1,
              "one row per CallbackOp");

}  // namespace

const InputHookRow* find_input_hook(HookOp op) {
  for (const InputHookRow& row : kInputHooks) {
    if (row.op == op) return &row;
  }
  return nullptr;
}

const char* hook_name(HookOp op) {
  if (const InputHookRow* row = find_input_hook(op)) return row->name;
  switch (op) {
    case HookOp::kCreate:
      return "create";
    case HookOp::kDestroy:
      return "destroy";
    default:
      return "unknown hook";
  }
}

std::span<const CallbackRow> callbacks() { return kCallbacks; }

const CallbackRow* find_callback(uint8_t op) {
  if (op == 0 || op >= static_cast<uint8_t>(CallbackOp::kEnd)) return nullptr;
  const CallbackRow& row = kCallbacks[op - 1];
  return static_cast<uint8_t>(row.op) == op ? &row : nullptr;
}

}  // namespace chost::loader::wire
