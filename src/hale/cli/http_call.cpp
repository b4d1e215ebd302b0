// One blocking request with libcurl easy (see http_call.h).
#include "hale/cli/http_call.h"

#include <curl/curl.h>

#include <string_view>

namespace hale::cli {

namespace {

std::size_t append_body(char* data, std::size_t size, std::size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

}  // namespace

HttpAnswer http_call(const HttpCall& call) {
  HttpAnswer a;
  CURL* curl = curl_easy_init();
  if (!curl) {
    a.error = "cannot initialise libcurl";
    return a;
  }
  curl_slist* headers = nullptr;
  for (const auto& h : call.headers) headers = curl_slist_append(headers, h.c_str());
  // libcurl 7.88 sends "Expect: 100-continue" before a body over 1 KB and then waits a second
  // for a 100 that neither hale nor most servers send: send the body at once.
  if (call.body && !call.body->empty()) headers = curl_slist_append(headers, "Expect:");
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, call.url.c_str());
  if (call.method == "POST") {
    // Not copied by libcurl: `call` outlives the transfer.
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(call.body ? call.body->size() : 0));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, call.body ? call.body->c_str() : "");
  } else if (call.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, call.method.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  if (!call.allow_env_proxy) {
    curl_easy_setopt(curl, CURLOPT_PROXY, "");  // loopback: never through $http_proxy
    curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  }
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(call.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(call.total_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &a.body);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  const CURLcode rc = curl_easy_perform(curl);
  curl_off_t pretransfer = 0;
  curl_easy_getinfo(curl, CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
  a.request_sent = pretransfer > 0;
  if (rc == CURLE_OK) {
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    a.status = static_cast<int>(status);
    a.request_sent = true;
  } else {
    a.refused = rc == CURLE_COULDNT_CONNECT || rc == CURLE_OPERATION_TIMEDOUT;
    a.error = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    a.body.clear();
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return a;
}

}  // namespace hale::cli
