#include "exporters/http_access.h"

#include <sys/stat.h>

#include <cctype>
#include <fstream>
#include <stdexcept>

namespace kpulse::exporters {
namespace {

// Compares without stopping at the first difference, so response times do
// not tell how much of a guess was right.
bool same_secret(std::string_view a, std::string_view b) {
  if (b.empty()) return false;
  unsigned diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned>(a[i] ^ b[i % b.size()]);
  return diff == 0;
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

bool starts_with_word(std::string_view s, std::string_view word) {
  if (s.size() <= word.size() || s[word.size()] != ' ') return false;
  for (size_t i = 0; i < word.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != word[i]) return false;
  return true;
}

}  // namespace

std::string base64_decode(std::string_view in, bool* ok) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  size_t padding = 0;
  for (char c : in) {
    if (c == '=') {
      ++padding;
      continue;
    }
    const int v = base64_value(c);
    if (v < 0 || padding > 0) {
      *ok = false;
      return {};
    }
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  *ok = padding <= 2 && (in.size() % 4 == 0 || padding == 0);
  return out;
}

bool HttpAccess::allows(std::string_view authorization) const {
  if (!required()) return true;
  const std::string_view h = trim(authorization);
  if (starts_with_word(h, "bearer")) return same_secret(trim(h.substr(7)), token);
  if (starts_with_word(h, "basic")) {
    bool ok = true;
    const std::string pair = base64_decode(trim(h.substr(6)), &ok);
    const size_t colon = pair.find(':');
    if (!ok || colon == std::string::npos) return false;
    // Both halves are always compared: no early exit on a wrong user name.
    const bool user_ok = same_secret(std::string_view(pair).substr(0, colon), basic_user);
    const bool password_ok = same_secret(std::string_view(pair).substr(colon + 1), token);
    return user_ok && password_ok;
  }
  return false;
}

std::string read_token_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw std::runtime_error("token file " + path + ": cannot read it");
  if (st.st_mode & S_IROTH)
    throw std::runtime_error("token file " + path +
                             ": readable by every user (chmod o-r, e.g. 0640)");
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  std::string token(trim(line));
  if (!in && !in.eof()) throw std::runtime_error("token file " + path + ": cannot read it");
  if (token.empty()) throw std::runtime_error("token file " + path + ": empty first line");
  return token;
}

}  // namespace kpulse::exporters
