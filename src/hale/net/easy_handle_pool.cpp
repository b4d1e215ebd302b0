// EasyHandlePool (see easy_handle_pool.h).
#include "hale/net/easy_handle_pool.h"

namespace hale {

EasyHandlePool::~EasyHandlePool() {
  for (CURL* e : idle_) curl_easy_cleanup(e);
}

CURL* EasyHandlePool::take() {
  if (idle_.empty()) return curl_easy_init();
  CURL* e = idle_.back();
  idle_.pop_back();
  return e;
}

void EasyHandlePool::give_back(CURL* easy) {
  if (easy == nullptr) return;
  if (idle_.size() >= kKeep) {
    curl_easy_cleanup(easy);
    return;
  }
  curl_easy_reset(easy);
  idle_.push_back(easy);
}

}  // namespace hale
