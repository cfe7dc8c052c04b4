// digits-mlp (problems/digits_mlp.cpp) and its data (problems/digits_data.cpp): the shipped file
// parses to the known set; the split's sizes, disjointness and seeding; the loss and accuracies
// against a per-sample loop written out here; mp50 gradient checks for every architecture; float;
// the errors for a missing or malformed file; which blocks go to the fallback; and a short AdamW
// run that learns the digits.
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <set>

#include "harness/core/error.hpp"
#include "harness/core/gradient_check.hpp"
#include "harness/oracles.hpp"
#include "harness/problem.hpp"
#include "harness/solver.hpp"
#include "problems/digits_data.hpp"

namespace {

using mb::json;
using mb::Mat;
using mb::Params;

// A temporary folder holding digits.csv.gz with `text`, gzip-compressed with zlib.
struct GzFolder {
  std::filesystem::path dir;
  explicit GzFolder(const std::string& name, const std::string& text) {
    dir = std::filesystem::temp_directory_path() / ("muonbench_digits_" + name + "_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    gzFile f = gzopen((dir / "digits.csv.gz").string().c_str(), "wb");
    EXPECT_NE(f, nullptr);
    EXPECT_EQ(gzwrite(f, text.data(), static_cast<unsigned>(text.size())), static_cast<int>(text.size()));
    gzclose(f);
  }
  ~GzFolder() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::string file() const { return (dir / "digits.csv.gz").string(); }
};

// One CSV line: 64 pixels p, p+1, ... (mod 17) and the label.
std::string csv_line(int p, int label) {
  std::string s;
  for (int i = 0; i < 64; ++i) s += std::to_string((p + i) % 17) + ",";
  return s + std::to_string(label) + "\n";
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const mb::Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(DigitsMlpData, TheShippedFileParsesToTheKnownSet) {
  const auto d = mb::load_digits(mb::digits_default_dir(), "test");
  ASSERT_EQ(d->count(), 1797);
  ASSERT_EQ(d->pixels.size(), 1797u * 64u);
  std::vector<long> counts(10, 0);
  for (unsigned char y : d->labels) ++counts.at(y);
  EXPECT_EQ(counts, (std::vector<long>{178, 182, 177, 183, 181, 182, 181, 179, 174, 180}));
  // The first image (a zero), as `zcat digits.csv.gz | head -1` shows it.
  const std::vector<int> first{0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0};
  for (size_t i = 0; i < first.size(); ++i) EXPECT_EQ(d->pixels[i], first[i]) << i;
  EXPECT_EQ(d->labels[0], 0);
  EXPECT_EQ(*std::max_element(d->pixels.begin(), d->pixels.end()), 16);
  // Cached: the same object, not a second parse.
  EXPECT_EQ(mb::load_digits(mb::digits_default_dir(), "test").get(), d.get());
}

TEST(DigitsMlpData, SplitSizesAreDisjointAndSeeded) {
  const auto s = mb::split_digits(1797, 0.2, 0, "test");
  EXPECT_EQ(s.test.size(), 360u);  // ceil(0.2 * 1797), as sklearn's train_test_split
  EXPECT_EQ(s.train.size(), 1437u);
  std::set<long> all(s.train.begin(), s.train.end());
  all.insert(s.test.begin(), s.test.end());
  EXPECT_EQ(all.size(), 1797u);  // disjoint and covering
  EXPECT_EQ(*all.begin(), 0);
  EXPECT_EQ(*all.rbegin(), 1796);
  const auto again = mb::split_digits(1797, 0.2, 0, "test");
  const auto other = mb::split_digits(1797, 0.2, 1, "test");
  EXPECT_EQ(again.test, s.test);
  EXPECT_NE(other.test, s.test);
  EXPECT_NE(error_of([] { mb::split_digits(3, 0.9, 0, "ctx"); }).find("test_fraction"), std::string::npos);
}

// The split depends on split_seed only: the training loss at one point is the same whichever
// cell seed drew the point (the cell seed reaches only initial_point) and changes with split_seed.
TEST(DigitsMlp, TheSplitIsFixedBySplitSeedNotByTheCellSeed) {
  const json base{{"hidden", 8}};
  auto p = mb::make_problem<double>("digits-mlp", base);
  auto q = mb::make_problem<double>("digits-mlp", base);
  json other = base;
  other["split_seed"] = 1;
  auto r = mb::make_problem<double>("digits-mlp", other);
  for (std::uint64_t seed : {0u, 3u}) {
    const Params<double> w = p->initial_point(seed);
    EXPECT_EQ(p->value(w), q->value(w));
    EXPECT_EQ(p->evaluate(w), q->evaluate(w));
    EXPECT_NE(p->value(w), r->value(w));
  }
}

// A per-sample loop, written independently of the problem's batched code: the loss and the
// accuracies on the split split_digits gives, the first `samples` training images.
struct Brute {
  double loss = 0, accuracy = 0;
};
Brute brute_force(const Params<double>& w, const std::vector<long>& idx, bool relu) {
  const auto d = mb::load_digits(mb::digits_default_dir(), "test");
  Brute b;
  const size_t layers = w.size() / 2;
  for (long s : idx) {
    std::vector<double> a(64);
    for (int p = 0; p < 64; ++p) a[p] = d->pixels[s * 64 + p] / 16.0;
    for (size_t l = 0; l < layers; ++l) {
      const Mat<double>& W = w[2 * l];
      std::vector<double> z(W.rows());
      for (long i = 0; i < W.rows(); ++i) {
        z[i] = w[2 * l + 1](i, 0);
        for (long j = 0; j < W.cols(); ++j) z[i] += W(i, j) * a[j];
        if (l + 1 < layers) z[i] = relu ? std::max(z[i], 0.0) : std::tanh(z[i]);
      }
      a = z;
    }
    const double m = *std::max_element(a.begin(), a.end());
    double sum = 0;
    for (double v : a) sum += std::exp(v - m);
    b.loss += m + std::log(sum) - a[d->labels[s]];
    b.accuracy += (std::max_element(a.begin(), a.end()) - a.begin()) == d->labels[s];
  }
  b.loss /= idx.size(), b.accuracy /= idx.size();
  return b;
}

TEST(DigitsMlp, LossAndAccuracyMatchAPerSampleLoop) {
  for (const bool relu : {true, false})
    for (long layers : {2L, 3L}) {
      const json params{{"hidden", 7}, {"layers", layers}, {"activation", relu ? "relu" : "tanh"},
                        {"samples", 50}, {"split_seed", 2}, {"init_scale", 4}};
      auto p = mb::make_problem<double>("digits-mlp", params);
      const Params<double> w = p->initial_point(1);
      const auto split = mb::split_digits(1797, 0.2, 2, "test");
      const std::vector<long> train(split.train.begin(), split.train.begin() + 50);
      const Brute tr = brute_force(w, train, relu), te = brute_force(w, split.test, relu);
      const json e = p->evaluate(w);
      EXPECT_NEAR(p->value(w), tr.loss, 1e-12);
      EXPECT_NEAR(e["train_loss"].get<double>(), tr.loss, 1e-12);
      EXPECT_NEAR(e["test_loss"].get<double>(), te.loss, 1e-12);
      EXPECT_EQ(e["train_accuracy"].get<double>(), tr.accuracy);
      EXPECT_EQ(e["test_accuracy"].get<double>(), te.accuracy);
      EXPECT_GT(e["test_accuracy"].get<double>(), 0.0);  // init_scale 4: some images already right
    }
}

// Same tolerance and reasoning as tests/test_problems.cpp (1e-25 relative in mp50).
TEST(DigitsMlp, GradientMatchesMp50FiniteDifferencesForEveryArchitecture) {
  for (const char* act : {"relu", "tanh"})
    for (long layers : {2L, 3L}) {
      const json params{{"hidden", 5}, {"layers", layers}, {"activation", act}, {"samples", 20}};
      auto p = mb::make_problem<mb::mp50>("digits-mlp", params);
      const auto r = mb::check_gradient<mb::mp50>(*p, p->initial_point(1), {.max_coordinates = 120, .directions = 2});
      EXPECT_GT(r.gradient_inf_norm, mb::mp50(0));
      EXPECT_LE(r.max_relative_error, mb::mp50("1e-25")) << act << " " << layers << ": " << r.worst;
      EXPECT_LE(r.max_direction_relative_error, mb::mp50("1e-25")) << act << " " << layers;
    }
}

// Float on the full training set: the same loss and gradient as double to float's rounding (tanh:
// with relu, a pre-activation within rounding of 0 may switch a unit off in one precision only).
TEST(DigitsMlp, FloatRunsMatchDouble) {
  const json params{{"hidden", 32}, {"layers", 3}, {"activation", "tanh"}};
  auto pf = mb::make_problem<float>("digits-mlp", params);
  auto pd = mb::make_problem<double>("digits-mlp", params);
  const Params<double> wd = pd->initial_point(0);
  Params<float> wf;
  for (const auto& b : wd) wf.push_back(b.cast<float>());
  Params<float> gf;
  Params<double> gd;
  const double fd = pd->value_and_gradient(wd, gd);
  const float ff = pf->value_and_gradient(wf, gf);
  EXPECT_NEAR(ff, fd, 1e-5 * fd);
  double err = 0, scale = 0;
  for (size_t b = 0; b < gd.size(); ++b) {
    err = std::max(err, (gf[b].cast<double>() - gd[b]).cwiseAbs().maxCoeff());
    scale = std::max(scale, gd[b].cwiseAbs().maxCoeff());
  }
  EXPECT_LE(err, 1e-4 * scale);
  EXPECT_NEAR(fd, std::log(10.0), 0.1);  // torch's init: nearly uniform predictions over 10 classes
}

TEST(DigitsMlp, AMissingDataFileNamesThePackage) {
  const std::string m = error_of([] { mb::make_problem<double>("digits-mlp", {{"data_dir", "/nonexistent/digits"}}); });
  EXPECT_NE(m.find("problem 'digits-mlp': data file /nonexistent/digits/digits.csv.gz not found"), std::string::npos) << m;
  EXPECT_NE(m.find("install Debian's python3-sklearn"), std::string::npos) << m;
  EXPECT_NE(m.find("params.data_dir"), std::string::npos) << m;
  EXPECT_NE(error_of([] { mb::make_problem<double>("digits-mlp", {{"data_dir", 3}}); }).find("data_dir"), std::string::npos);
}

TEST(DigitsMlp, AMalformedFileIsRefusedNamingTheLine) {
  const std::string good = csv_line(0, 1) + csv_line(3, 2);
  struct Case {
    const char* name;
    std::string text, expected;
  };
  std::string short_line = csv_line(5, 3);
  short_line.erase(short_line.rfind(','), std::string::npos).push_back('\n');  // 64 fields
  std::string big_pixel = csv_line(0, 4);
  big_pixel.replace(0, 1, "17");
  const std::vector<Case> cases{
      {"short", good + short_line, "line 3: expected 65 comma-separated fields (64 pixels, then the label), got 64"},
      {"pixel", good + big_pixel, "line 3: field 1 (pixel) '17' is out of range 0..16"},
      {"label", csv_line(0, 10) + good, "line 1: field 65 (label) '10' is out of range 0..9"},
      {"fraction", good + "1.5" + csv_line(0, 1).substr(1), "line 3: field 1 (pixel) '1.5' is not a non-negative integer"},
      {"blank", good + "\n" + good, "line 3: field 1 (pixel) is empty"},
      {"empty", "", "no samples"}};
  for (const auto& c : cases) {
    GzFolder f(c.name, c.text);
    const std::string m = error_of([&] { mb::make_problem<double>("digits-mlp", {{"data_dir", f.dir.string()}}); });
    EXPECT_NE(m.find(c.expected), std::string::npos) << c.name << ": " << m;
    EXPECT_NE(m.find(f.file()), std::string::npos) << c.name << ": " << m;
  }
  // A well-formed small file is accepted (5 images: 1 for testing, 4 for training).
  std::string five;
  for (int i = 0; i < 5; ++i) five += csv_line(i, i);
  GzFolder f("five", five);
  auto p = mb::make_problem<double>("digits-mlp", {{"data_dir", f.dir.string()}, {"hidden", 3}});
  EXPECT_TRUE(std::isfinite(p->value(p->initial_point(0))));
}

TEST(DigitsMlp, OnlyTheOutputHeadGoesToTheFallback) {
  auto p = mb::make_problem<double>("digits-mlp", {{"hidden", 16}, {"layers", 3}});
  std::vector<std::string> names, fallback;
  for (const auto& b : p->blocks()) {
    names.push_back(b.name);
    if (b.to_fallback) fallback.push_back(b.name);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"W1", "b1", "W2", "b2", "W_out", "b_out"}));
  EXPECT_EQ(fallback, (std::vector<std::string>{"W_out"}));
  EXPECT_EQ(p->blocks()[0].shape, (std::vector<long>{16, 64}));
  EXPECT_EQ(p->blocks()[4].shape, (std::vector<long>{10, 16}));
  auto q = mb::make_problem<double>("digits-mlp", {{"hidden", 16}, {"head_to_fallback", false}});
  for (const auto& b : q->blocks()) EXPECT_FALSE(b.to_fallback) << b.name;
  EXPECT_EQ(q->blocks().size(), 4u);
}

// AdamW (lr 0.01) on the default MLP (64-128-10, relu), 300 full-batch steps. Also times one
// value_and_gradient at the largest realistic size (hidden 256, 3 layers, 1437 images).
TEST(DigitsMlp, AShortAdamWRunLearnsTheDigits) {
  auto p = mb::make_problem<double>("digits-mlp", json::object());
  auto s = mb::make_solver<double>("adamw", {{"lr", 0.01}});
  Params<double> w = p->initial_point(0), g, gb;
  s->init(p->blocks(), w);
  mb::ProblemOracle<double> oracle(*p);
  const double f0 = p->value(w);
  for (int k = 0; k < 300; ++k) {
    p->value_and_gradient(w, g);
    s->step(w, g, oracle);
  }
  const json e = p->evaluate(w);
  std::printf("digits-mlp adamw 300 steps: train loss %.4g (from %.4g), train accuracy %.4f, test accuracy %.4f\n",
              e["train_loss"].get<double>(), f0, e["train_accuracy"].get<double>(), e["test_accuracy"].get<double>());
  RecordProperty("test_accuracy", std::to_string(e["test_accuracy"].get<double>()));
  EXPECT_GT(e["test_accuracy"].get<double>(), 0.9);
  EXPECT_LT(e["train_loss"].get<double>(), 0.1 * f0);

  // Wall and CPU time (the build machine is shared: CPU time is the one to compare).
  for (const json& size : {json{{"hidden", 256}, {"layers", 3}}, json::object()}) {
    auto big = mb::make_problem<double>("digits-mlp", size);
    const Params<double> wb = big->initial_point(0);
    big->value_and_gradient(wb, gb);  // warm
    const int reps = 20;
    const auto t0 = std::chrono::steady_clock::now();
    const std::clock_t c0 = std::clock();
    for (int k = 0; k < reps; ++k) big->value_and_gradient(wb, gb);
    const double cpu = 1000.0 * double(std::clock() - c0) / CLOCKS_PER_SEC / reps;
    const double wall = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / reps;
    std::printf("digits-mlp %s, 1437 images: %.2f ms wall, %.2f ms CPU per value_and_gradient (double)\n",
                size.dump().c_str(), wall, cpu);
  }
  EXPECT_EQ(gb.size(), 4u);  // the default: W1, b1, W_out, b_out
}

}  // namespace
