#include "exporters/otlp_sender.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <random>
#include <stdexcept>

#include "exporters/gzip.h"
#include "logs_service.pb.h"
#include "metrics_service.pb.h"

namespace kpulse::exporters {
namespace {

std::once_flag curl_init_once;

// Responses are small (a partial-success message or an error text); anything
// beyond this is not read into memory.
constexpr size_t kMaxResponseBody = size_t{64} * 1024;

size_t keep_body_start(char* data, size_t size, size_t n, void* userdata) {
  auto* s = static_cast<std::string*>(userdata);
  const size_t len = size * n;
  if (s->size() < kMaxResponseBody) s->append(data, std::min(len, kMaxResponseBody - s->size()));
  return len;
}

// OTLP partial success: how many items the receiver accepted the request but
// dropped, and why. 0 when the body is empty or not a response message.
int64_t rejected_items(Signal signal, const std::string& body, std::string& why) {
  if (body.empty()) return 0;
  if (signal == Signal::Metrics) {
    opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceResponse r;
    if (!r.ParseFromString(body)) return 0;
    why = r.partial_success().error_message();
    return r.partial_success().rejected_data_points();
  }
  opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse r;
  if (!r.ParseFromString(body)) return 0;
  why = r.partial_success().error_message();
  return r.partial_success().rejected_log_records();
}

struct ResponseHeaders {
  std::string retry_after;
};

size_t on_header(char* data, size_t size, size_t n, void* userdata) {
  const std::string_view line(data, size * n);
  constexpr std::string_view kName = "retry-after:";
  if (line.size() > kName.size()) {
    bool match = true;
    for (size_t i = 0; i < kName.size() && match; ++i)
      match = std::tolower(static_cast<unsigned char>(line[i])) == kName[i];
    if (match) static_cast<ResponseHeaders*>(userdata)->retry_after = line.substr(kName.size());
  }
  return size * n;
}

int cancel_transfer(void* cancel, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<std::atomic<bool>*>(cancel)->load() ? 1 : 0;
}

bool retryable_curl_error(CURLcode rc) {
  switch (rc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_ABORTED_BY_CALLBACK:  // stop(): run() counts the batch dropped
      return true;
    default:
      return false;
  }
}

}  // namespace

OtlpSender::OtlpSender(SenderOptions options)
    : options_(std::move(options)), user_agent_(otlp_user_agent()) {
  std::call_once(curl_init_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  curl_ = curl_easy_init();
  worker_ = std::thread([this] { run(); });
}

OtlpSender::~OtlpSender() {
  stop();
  curl_easy_cleanup(static_cast<CURL*>(curl_));
}

void OtlpSender::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cancel_ = true;
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
  std::lock_guard lock(mu_);
  dropped_ += queue_.size();
  queue_.clear();
  queued_bytes_ = 0;
}

void OtlpSender::submit(Signal signal, std::string body) {
  ++submitted_;
  {
    std::lock_guard lock(mu_);
    queued_bytes_ += body.size();
    queue_.push_back({signal, std::move(body)});
    while (queue_.size() > options_.max_queued_batches ||
           (queued_bytes_ > options_.max_queued_bytes && queue_.size() > 1)) {
      queued_bytes_ -= queue_.front().body.size();
      queue_.pop_front();
      ++dropped_;
    }
  }
  wake_.notify_one();
}

bool OtlpSender::flush(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return drained_.wait_for(lock, timeout, [&] { return queue_.empty() && !busy_; });
}

ExportStats OtlpSender::stats() const {
  ExportStats s;
  s.submitted = submitted_;
  s.sent = sent_;
  s.failed = failed_;
  s.dropped = dropped_;
  s.retries = retries_;
  s.bytes_sent = bytes_sent_;
  s.rejected = rejected_;
  std::lock_guard lock(mu_);
  s.queued = queue_.size();
  return s;
}

std::string OtlpSender::last_error() const {
  std::lock_guard lock(mu_);
  return last_error_;
}

void OtlpSender::set_error(std::string e) {
  std::lock_guard lock(mu_);
  last_error_ = std::move(e);
}

const SignalSettings& OtlpSender::settings(Signal signal) const {
  return signal == Signal::Metrics ? options_.config.metrics : options_.config.logs;
}

bool OtlpSender::sleep_unless_stopping(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  return !wake_.wait_for(lock, d, [&] { return stopping_; });
}

void OtlpSender::run() {
  std::mt19937_64 rng(std::random_device{}());
  std::uniform_real_distribution<double> jitter(0.0, 1.0);
  for (;;) {
    Batch batch;
    {
      std::unique_lock lock(mu_);
      busy_ = false;
      if (queue_.empty()) drained_.notify_all();
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      batch = std::move(queue_.front());
      queue_.pop_front();
      queued_bytes_ -= batch.body.size();
      busy_ = true;
    }
    // Compress here, not in submit(), so the caller never pays for it.
    if (settings(batch.signal).gzip) {
      try {
        batch.body = gzip_compress(batch.body);
      } catch (const std::exception& e) {
        set_error(e.what());
        ++failed_;
        continue;
      }
    }

    for (int attempt = 1;; ++attempt) {
      std::chrono::milliseconds retry_after{-1};
      const Outcome o = send_once(batch, retry_after);
      if (o == Outcome::Sent) {
        ++sent_;
        bytes_sent_ += batch.body.size();
        break;
      }
      if (o == Outcome::Fail || attempt >= options_.retry.max_attempts) {
        ++failed_;
        break;
      }
      auto delay = retry_after.count() >= 0
                       ? std::min(retry_after, options_.retry.max_retry_after)
                       : backoff_delay(options_.retry, attempt - 1, jitter(rng));
      if (!sleep_unless_stopping(delay)) {
        ++dropped_;  // shutting down mid-retry
        break;
      }
      ++retries_;
    }
  }
}

OtlpSender::Outcome OtlpSender::send_once(const Batch& batch,
                                          std::chrono::milliseconds& retry_after) {
  CURL* curl = static_cast<CURL*>(curl_);
  if (!curl) {
    set_error("libcurl could not create a handle");
    return Outcome::Fail;
  }
  const SignalSettings& signal = settings(batch.signal);
  const std::string& url = signal.url;
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/x-protobuf");
  if (signal.gzip) headers = curl_slist_append(headers, "Content-Encoding: gzip");
  for (const auto& [k, v] : signal.headers) {
    std::string line = k;
    line.append(": ").append(v);
    headers = curl_slist_append(headers, line.c_str());
  }

  std::string body;
  ResponseHeaders resp;
  curl_easy_reset(curl);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, batch.body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(batch.body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(signal.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_USERAGENT, user_agent_.c_str());
  if (!signal.tls.certificate.empty())
    curl_easy_setopt(curl, CURLOPT_CAINFO, signal.tls.certificate.c_str());
  if (!signal.tls.client_certificate.empty())
    curl_easy_setopt(curl, CURLOPT_SSLCERT, signal.tls.client_certificate.c_str());
  if (!signal.tls.client_key.empty())
    curl_easy_setopt(curl, CURLOPT_SSLKEY, signal.tls.client_key.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  // A receiver that accepts and never answers would hold shutdown for the
  // whole request timeout (10 s by default); libcurl calls this at least
  // once a second.
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, cancel_transfer);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &cancel_);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, keep_body_start);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &resp);
  const CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(headers);

  if (rc != CURLE_OK) {
    set_error(
        url + ": " +
        (rc == CURLE_ABORTED_BY_CALLBACK ? "no answer before shutdown" : curl_easy_strerror(rc)));
    return retryable_curl_error(rc) ? Outcome::Retry : Outcome::Fail;
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  if (status >= 200 && status < 300) {
    std::string why;
    if (const int64_t n = rejected_items(batch.signal, body, why); n > 0) {
      rejected_ += static_cast<uint64_t>(n);
      set_error(url + ": receiver rejected " + std::to_string(n) + " items" +
                (why.empty() ? "" : ": " + why));
    } else {
      set_error("");
    }
    return Outcome::Sent;
  }
  set_error(url + ": HTTP " + std::to_string(status) +
            (body.empty() ? "" : " " + body.substr(0, 256)));
  if (!is_retryable_status(status)) return Outcome::Fail;
  if (auto ra = parse_retry_after(resp.retry_after, std::chrono::system_clock::now()))
    retry_after = *ra;
  return Outcome::Retry;
}

}  // namespace kpulse::exporters
