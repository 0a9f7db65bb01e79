#include "plugin/loader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <exception>
#include <system_error>

#include "plugin/descriptor.h"

namespace capstan::plugin {
namespace {

// Boost.DLL reports a failed dlopen() as "<what> (dlerror system message: <text>)"; the
// dynamic linker's text is the part a user can act on.
std::string dlerrorText(std::string_view what) {
  static constexpr std::string_view kMarker = "dlerror system message: ";
  auto at = what.find(kMarker);
  if (at == std::string_view::npos) return std::string(what);
  std::string_view text = what.substr(at + kMarker.size());
  if (!text.empty() && text.back() == ')') text.remove_suffix(1);
  return std::string(text);
}

Status writeAll(int fd, std::span<const std::byte> bytes, const std::filesystem::path& file) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::unavailable("cannot write " + file.string() + ": " + std::strerror(errno));
    }
    done += static_cast<std::size_t>(n);
  }
  return {};
}

bool sameBytes(const std::vector<std::byte>& a, std::span<const std::byte> b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

}  // namespace

std::string sha256Hex(std::span<const std::byte> bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    // Only an OpenSSL without SHA-256 (or out of memory) gets here; the cache cannot work
    // without it, and every caller treats an empty hash as a failure.
    return {};
  }
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) {
    hex += kDigits[digest[i] >> 4];
    hex += kDigits[digest[i] & 0xf];
  }
  return hex;
}

bool LoadedLibrary::hasKind(std::string_view kind) const {
  return std::find(kinds_.begin(), kinds_.end(), kind) != kinds_.end();
}

LibraryLoader::LibraryLoader(std::filesystem::path cacheDir) : cacheDir_(std::move(cacheDir)) {}

Result<std::string> LibraryLoader::contentHash(const std::filesystem::path& file) {
  auto bytes = readFileBytes(file);
  if (!bytes.ok()) return bytes.status();
  std::string hash = sha256Hex(*bytes);
  if (hash.empty()) return Status::internal("cannot compute the SHA-256 of " + file.string());
  return hash;
}

Status LibraryLoader::prepareCacheDir() const {
  if (cacheDir_.empty()) return Status::invalidArgument("the plugin cache directory is not set");
  std::error_code ec;
  if (!std::filesystem::exists(cacheDir_, ec)) {
    std::filesystem::create_directories(cacheDir_, ec);
    if (ec) {
      return Status::unavailable("cannot create the plugin cache directory " + cacheDir_.string() + ": " +
                                 ec.message());
    }
    std::filesystem::permissions(cacheDir_, std::filesystem::perms::owner_all, ec);
  }
  struct stat st {};
  if (::stat(cacheDir_.c_str(), &st) != 0) {
    return Status::unavailable("cannot use the plugin cache directory " + cacheDir_.string() + ": " +
                               std::strerror(errno));
  }
  if (!S_ISDIR(st.st_mode)) {
    return Status::invalidArgument("the plugin cache directory " + cacheDir_.string() + " is not a directory");
  }
  // Whoever can write here can replace code the daemon is about to map.
  if (st.st_mode & (S_IWGRP | S_IWOTH)) {
    return Status::failedPrecondition("the plugin cache directory " + cacheDir_.string() +
                                      " is writable by other users; refusing to load code from it (chmod go-w)");
  }
  return {};
}

Result<std::filesystem::path> LibraryLoader::cachedCopy(const std::filesystem::path& file,
                                                        std::span<const std::byte> bytes,
                                                        const std::string& sha256) const {
  Status dir = prepareCacheDir();
  if (!dir.ok()) return dir;
  const std::filesystem::path target =
      cacheDir_ / (sha256.substr(0, kCacheHashPrefix) + "-" + file.filename().string());

  // Reuse a copy only if it really holds these bytes: a crash or a stray write could have
  // left something else under the name.
  if (auto existing = readFileBytes(target); existing.ok() && sameBytes(*existing, bytes)) return target;

  // Write under a temporary name and rename into place, so a concurrent loader (another
  // thread or process sharing the cache) never maps a half-written file.
  // Hidden (leading dot) and with mkstemp's pattern appended, built by append: GCC 12 warns
  // falsely (-Wrestrict) on `"." + std::string&&` at -O3.
  std::string hiddenName(".");
  hiddenName.append(target.filename().string()).append(".XXXXXX");
  std::string tempName = (cacheDir_ / hiddenName).string();
  const int fd = ::mkstemp(tempName.data());
  if (fd < 0) {
    return Status::unavailable("cannot create a file in the plugin cache directory " + cacheDir_.string() + ": " +
                               std::strerror(errno));
  }
  Status written = writeAll(fd, bytes, tempName);
  // Read-only: rewriting a mapped library in place would corrupt the running image.
  if (written.ok() && ::fchmod(fd, S_IRUSR | S_IRGRP | S_IROTH) != 0) {
    written = Status::unavailable("cannot chmod " + tempName + ": " + std::strerror(errno));
  }
  if (::close(fd) != 0 && written.ok()) {
    written = Status::unavailable("cannot write " + tempName + ": " + std::strerror(errno));
  }
  if (written.ok() && ::rename(tempName.c_str(), target.c_str()) != 0) {
    written = Status::unavailable("cannot rename " + tempName + " to " + target.string() + ": " +
                                  std::strerror(errno));
  }
  if (!written.ok()) {
    ::unlink(tempName.c_str());
    return written;
  }
  return target;
}

Result<std::shared_ptr<const LoadedLibrary>> LibraryLoader::load(const std::filesystem::path& file) const {
  const std::string fileName = file.string();
  // One read: the bytes checked are the bytes hashed are the bytes copied and mapped, even if
  // the file is being rebuilt meanwhile.
  auto bytes = readFileBytes(file);
  if (!bytes.ok()) return bytes.status();
  auto info = parsePluginImage(*bytes, fileName);
  if (!info.ok()) return info.status();
  Status compatible = checkPluginFile(*info, fileName);
  if (!compatible.ok()) return compatible;

  const std::string sha256 = sha256Hex(*bytes);
  if (sha256.empty()) return Status::internal("plugin " + fileName + ": cannot compute its SHA-256");
  auto copy = cachedCopy(file, *bytes, sha256);
  if (!copy.ok()) return copy.status().withContext("plugin " + fileName);

  std::shared_ptr<LoadedLibrary> library(new LoadedLibrary());
  try {
    library->library_.load(*copy, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    return Status::failedPrecondition("plugin " + fileName + ": cannot be loaded: " + dlerrorText(e.what()));
  }

  const std::string symbol(kDescriptorSymbol);
  if (!library->library_.has(symbol)) {
    return Status::failedPrecondition("plugin " + fileName + ": the loaded library does not export `" + symbol + "`");
  }
  const PluginDescriptor* loaded = nullptr;
  try {
    loaded = &library->library_.get_alias<const PluginDescriptor>(symbol);
  } catch (const std::exception& e) {
    return Status::failedPrecondition("plugin " + fileName + ": cannot resolve `" + symbol + "`: " + e.what());
  }
  // The alias must lead to the very descriptor the checks read; anything else means the
  // section and the exported symbol disagree, and the checks proved nothing.
  if (loaded == nullptr ||
      std::memcmp(loaded, &info->descriptor, offsetof(PluginDescriptor, factory)) != 0) {
    return Status::failedPrecondition("plugin " + fileName + ": `" + symbol +
                                      "` does not point at the descriptor in its " + std::string(kDescriptorSection) +
                                      " section");
  }
  if (loaded->factory == nullptr) {
    return Status::failedPrecondition("plugin " + fileName + ": its descriptor has no factory");
  }

  library->descriptor_ = *loaded;
  library->pluginName_ = std::string(fieldString(loaded->name));
  library->version_ = std::string(fieldString(loaded->version));
  library->kinds_ = splitKinds(fieldString(loaded->kinds));
  library->sourcePath_ = file;
  library->loadedPath_ = *copy;
  library->sha256_ = sha256;
  return std::shared_ptr<const LoadedLibrary>(std::move(library));
}

}  // namespace capstan::plugin
