// TxnHandle: what stands behind the ABI's opaque chp_txn. Private to the runtime.
#pragma once

#include <memory>

#include "chost/store/state_store.hpp"

namespace chost::runtime {

class InstanceContext;

struct TxnHandle {
  InstanceContext* ctx = nullptr;
  std::unique_ptr<store::Transaction> txn;  // null once committed or rolled back
};

}  // namespace chost::runtime
