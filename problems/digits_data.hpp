// The 8x8 handwritten digits set (UCI "Optical Recognition of Handwritten Digits", test part, as
// scikit-learn ships it): 1797 images of 64 pixels with values 0..16, and their labels 0..9. Debian's
// python3-sklearn installs it as sklearn/datasets/data/digits.csv.gz, one image a line: the 64
// pixel values in row-major order, then the label, comma-separated.
//
// Scalar-free (compiled once): reading and checking the file, caching the parsed set per path for
// the whole process (every cell constructs its problem), and the seeded train/test split. The
// problem (problems/digits_mlp.cpp) converts the pixels to its working type.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mb {

struct DigitsData {
  static constexpr long kPixels = 64;    // 8 x 8
  static constexpr long kClasses = 10;   // digits 0..9
  static constexpr int kMaxPixel = 16;   // pixel values are 0..16 (counts of set bits in 4x4 blocks)
  std::string path;                      // the file read
  std::vector<unsigned char> pixels;     // image i's pixels are pixels[i * kPixels .. (i+1) * kPixels)
  std::vector<unsigned char> labels;     // labels[i] in 0..9
  long count() const { return static_cast<long>(labels.size()); }
};

// Where python3-sklearn installs the file (the default of the problem's data_dir).
const char* digits_default_dir();
// "<dir>/digits.csv.gz".
std::string digits_file(const std::string& data_dir);

// Reads and checks a digits CSV.gz file: every line exactly 65 comma-separated integers, pixels in
// 0..16, the label in 0..9, at least one line. Throws Error naming the file and the line at fault,
// starting with `context` ("problem 'digits-mlp'").
DigitsData read_digits_csv_gz(const std::string& path, const std::string& context);

// read_digits_csv_gz(digits_file(data_dir)), parsed once per process per path (mutex-guarded);
// later calls return the same object. Failures are not cached (a fixed install is seen at once).
std::shared_ptr<const DigitsData> load_digits(const std::string& data_dir, const std::string& context);

// A train/test split of `count` samples: a Fisher-Yates permutation drawn from
// Rng({split_seed, "split"}); the first ceil(test_fraction * count) indices are the test set (as
// scikit-learn's train_test_split rounds), the rest, in permutation order, the training set.
// Both sets are non-empty or an Error names test_fraction.
struct DigitsSplit {
  std::vector<long> train, test;
};
DigitsSplit split_digits(long count, double test_fraction, std::uint64_t split_seed, const std::string& context);

}  // namespace mb
