// Reading the digits CSV.gz (problems/digits_data.hpp): zlib's gzread, a strict parser, a
// per-process cache, and the seeded split.
#include "problems/digits_data.hpp"

#include <zlib.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <numeric>

#include "harness/core/error.hpp"
#include "harness/core/rng.hpp"

namespace mb {

namespace {

// "<path> line <n>: " (built piecewise: GCC 12's false -Warray-bounds on operator+ chains).
std::string where(const std::string& path, long line) {
  std::string s("digits data ");
  s.append(path).append(" line ").append(std::to_string(line)).append(": ");
  return s;
}

// The whole decompressed file. gzread also reads an uncompressed file as is (zlib's transparent
// mode), which is harmless: the parser checks every line.
std::string decompress(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) {
    std::string m("digits data ");
    m.append(path).append(": cannot open (").append(std::strerror(errno)).append(")");
    throw Error(m);
  }
  std::string text;
  char buf[1 << 16];
  for (;;) {
    const int n = gzread(f, buf, sizeof buf);
    if (n < 0) {
      int code = 0;
      std::string msg("digits data ");
      msg.append(path).append(": not a readable gzip file (zlib: ").append(gzerror(f, &code)).append(")");
      gzclose(f);
      throw Error(msg);
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  gzclose(f);
  return text;
}

// One field: a non-negative decimal integer in [0, hi] with no sign, spaces or fraction.
int parse_field(const std::string& path, long line, long field, const char* b, const char* e, int hi,
                const char* what) {
  if (b == e) {
    std::string m = where(path, line);
    m.append("field ").append(std::to_string(field)).append(" (").append(what).append(") is empty");
    throw Error(m);
  }
  long v = 0;
  for (const char* p = b; p != e; ++p) {
    if (*p < '0' || *p > '9') {
      std::string m = where(path, line);
      m.append("field ").append(std::to_string(field)).append(" (").append(what).append(") '");
      m.append(b, e).append("' is not a non-negative integer");
      throw Error(m);
    }
    v = v * 10 + (*p - '0');
    if (v > hi) break;  // out of range already; no overflow on long digit strings
  }
  if (v > hi) {
    std::string m = where(path, line);
    m.append("field ").append(std::to_string(field)).append(" (").append(what).append(") '");
    m.append(b, e).append("' is out of range 0..").append(std::to_string(hi));
    throw Error(m);
  }
  return static_cast<int>(v);
}

// Every line: exactly 65 integer fields; pixels 0..16, the label 0..9.
DigitsData parse(const std::string& path, const std::string& text) {
  DigitsData d;
  d.path = path;
  constexpr long kFields = DigitsData::kPixels + 1;
  long line = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    ++line;
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const char* b = text.data() + pos;
    const char* e = text.data() + end;
    if (e != b && e[-1] == '\r') --e;  // CRLF line ends
    pos = end + 1;
    long field = 0;
    const char* f = b;
    for (const char* p = b;; ++p) {
      if (p != e && *p != ',') continue;
      ++field;
      if (field <= DigitsData::kPixels)
        d.pixels.push_back(static_cast<unsigned char>(parse_field(path, line, field, f, p, DigitsData::kMaxPixel, "pixel")));
      else if (field == kFields)
        d.labels.push_back(static_cast<unsigned char>(parse_field(path, line, field, f, p, DigitsData::kClasses - 1, "label")));
      if (p == e) break;
      f = p + 1;
    }
    if (field != kFields) {
      std::string m = where(path, line);
      m.append("expected ").append(std::to_string(kFields)).append(" comma-separated fields (64 pixels, then the label), got ");
      m.append(std::to_string(field));
      throw Error(m);
    }
  }
  if (d.labels.empty()) {
    std::string m("digits data ");
    m.append(path).append(": no samples");
    throw Error(m);
  }
  return d;
}

}  // namespace

const char* digits_default_dir() { return "/usr/lib/python3/dist-packages/sklearn/datasets/data"; }

std::string digits_file(const std::string& data_dir) {
  return (std::filesystem::path(data_dir) / "digits.csv.gz").string();
}

DigitsData read_digits_csv_gz(const std::string& path, const std::string& context) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    std::string m(context);
    m.append(": data file ").append(path).append(" not found: install Debian's python3-sklearn (scripts/setup does) ");
    m.append("or set params.data_dir to a folder holding digits.csv.gz");
    throw Error(m);
  }
  try {
    return parse(path, decompress(path));
  } catch (const Error& e) {
    std::string m(context);
    m.append(": ").append(e.what());
    throw Error(m);
  }
}

std::shared_ptr<const DigitsData> load_digits(const std::string& data_dir, const std::string& context) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const DigitsData>> cache;
  const std::string path = digits_file(data_dir);
  std::lock_guard<std::mutex> lock(mutex);
  if (auto it = cache.find(path); it != cache.end()) return it->second;
  auto d = std::make_shared<const DigitsData>(read_digits_csv_gz(path, context));
  cache.emplace(path, d);
  return d;
}

DigitsSplit split_digits(long count, double test_fraction, std::uint64_t split_seed, const std::string& context) {
  const long n_test = static_cast<long>(std::ceil(test_fraction * static_cast<double>(count)));
  if (!(n_test >= 1 && n_test < count)) {
    std::string m(context);
    m.append(": test_fraction = ").append(std::to_string(test_fraction)).append(" leaves ");
    m.append(std::to_string(n_test)).append(" of ").append(std::to_string(count));
    m.append(" samples for testing; both the test and the training set must be non-empty");
    throw Error(m);
  }
  std::vector<long> perm(static_cast<size_t>(count));
  std::iota(perm.begin(), perm.end(), 0L);
  Rng rng({split_seed, 0x73706c6974ULL});  // "split"
  for (long i = count - 1; i > 0; --i) std::swap(perm[static_cast<size_t>(i)], perm[static_cast<size_t>(rng.below(i + 1))]);
  DigitsSplit s;
  s.test.assign(perm.begin(), perm.begin() + n_test);
  s.train.assign(perm.begin() + n_test, perm.end());
  return s;
}

}  // namespace mb
