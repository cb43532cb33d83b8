#include <iocell/core/ops/checksum.hpp>

#include <cctype>
#include <fstream>
#include <stdexcept>

#include <iocell/core/config_store.hpp>
#include <iocell/core/release/sha256.hpp>

namespace iocell::core {

namespace fs = std::filesystem;

std::string write_checksum(const fs::path& file, const fs::path& checksum_file) {
  const std::string hex = Sha256::of_file(file);
  write_file_atomic(checksum_file, hex + "\n");
  return hex;
}

std::string read_checksum(const fs::path& checksum_file) {
  std::ifstream in(checksum_file);
  if (!in) throw std::runtime_error("no checksum file " + checksum_file.string() + ": refusing an archive that cannot be verified");
  std::string word;
  in >> word;
  for (auto& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (word.size() != 64 || word.find_first_not_of("0123456789abcdef") != std::string::npos)
    throw std::runtime_error("checksum file " + checksum_file.string() + " holds no SHA-256 digest");
  return word;
}

}  // namespace iocell::core
