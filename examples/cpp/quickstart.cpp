// finauth from C++ (finauth.hpp): a token, then a Finicity call with libcurl carrying both headers.
//
// Configured from the environment (FINICITY_PARTNER_ID, FINICITY_PARTNER_SECRET, FINICITY_APP_KEY,
// FINICITY_BASE_URL, ...). Build against an installed libfinauth:
//
//   c++ -std=c++17 quickstart.cpp $(pkg-config --cflags --libs finauth) -lcurl -o quickstart
#include <finauth.hpp>

#include <curl/curl.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

namespace {

// GET `url` with the headers; returns the HTTP status and the body.
std::pair<long, std::string> get(const std::string &url, const finauth::Headers &headers) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) throw std::runtime_error("curl_easy_init failed");
  curl_slist *raw = curl_slist_append(nullptr, "Accept: application/json");
  for (const auto &[name, value] : headers) raw = curl_slist_append(raw, (name + ": " + value).c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> list(raw, curl_slist_free_all);
  std::string body;
  auto write = +[](char *p, size_t size, size_t n, void *out) -> size_t {
    static_cast<std::string *>(out)->append(p, size * n);
    return size * n;
  };
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, list.get());
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, write);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
  CURLcode rc = curl_easy_perform(curl.get());
  if (rc != CURLE_OK) throw std::runtime_error(std::string("request failed: ") + curl_easy_strerror(rc));
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  return {status, body};
}

}  // namespace

int main() {
  try {
    std::cout << "libfinauth " << finauth::version() << "\n";
    auto auth = finauth::PartnerAuth::from_env();

    std::string token = auth.token();  // authenticates once, then from the cache
    std::cout << "token: " << token.substr(0, 4) << "... (" << token.size() << " characters)\n";

    const char *base = std::getenv("FINICITY_BASE_URL");
    std::string url = std::string(base && *base ? base : "https://api.finicity.com") +
                      "/aggregation/v1/customers";
    curl_global_init(CURL_GLOBAL_DEFAULT);
    long status = 0;
    for (int attempt = 0; attempt < 2; attempt++) {
      finauth::Headers headers = auth.headers();
      std::cout << "GET " << url << "\n";
      auto [code, body] = get(url, headers);
      status = code;
      std::cout << body << "\nHTTP " << status << "\n";
      if (status == 401 && attempt == 0) {
        auth.invalidate(headers.token);  // drop the rejected token, try once more
        continue;
      }
      break;
    }
    curl_global_cleanup();

    finauth_stats st = auth.stats();
    std::cout << "authentication requests: " << st.auth_requests << ", cache hits: " << st.cache_hits
              << "\n";
    return status == 200 ? 0 : 1;
  } catch (const finauth::LockoutGuardError &e) {
    std::cerr << "lockout guard (" << e.guard_reason() << "): " << e.what() << "\n";
  } catch (const finauth::InvalidCredentialsError &e) {
    std::cerr << "wrong credentials, " << e.attempts_remaining().value_or(0)
              << " attempt(s) left: " << e.what() << "\n";
  } catch (const finauth::Error &e) {
    std::cerr << e.kind() << ": " << e.what() << "\n";
  } catch (const std::exception &e) {
    std::cerr << e.what() << "\n";
  }
  return 1;
}
