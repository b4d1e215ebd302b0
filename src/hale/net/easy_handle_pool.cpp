// EasyHandlePool (see easy_handle_pool.h).
#include "hale/net/easy_handle_pool.h"

#include <algorithm>

namespace hale {

EasyHandlePool::~EasyHandlePool() {
  for (CURL* e : idle_) curl_easy_cleanup(e);
}

CURL* EasyHandlePool::take() {
  CURL* e = nullptr;
  if (idle_.empty()) {
    e = curl_easy_init();
  } else {
    e = idle_.back();
    idle_.pop_back();
  }
  if (e != nullptr) ++in_use_;
  return e;
}

void EasyHandlePool::give_back(CURL* easy) {
  if (easy == nullptr) return;
  if (in_use_ > 0) --in_use_;
  if (idle_.size() >= std::max(kKeep, in_use_)) {
    curl_easy_cleanup(easy);
    return;
  }
  curl_easy_reset(easy);
  idle_.push_back(easy);
}

}  // namespace hale
