#pragma once
// Loading a checked plugin library: content-addressed copy, dlopen, descriptor verification.
//
// The dynamic loader hands back the already-loaded image when asked for a path it has
// loaded, so a plugin rebuilt in place would silently keep its old code. The loader
// therefore copies each file to <cacheDir>/<sha256 prefix>-<file name> and loads the copy:
// new content means a new path and a fresh image, the same content reuses the copy.

#include <cstddef>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <boost/dll/shared_library.hpp>

#include "capstan/plugin.h"
#include "capstan/status.h"

namespace capstan::plugin {

// Hex digits of the SHA-256 kept in the cached file's name: 64 bits, collision-free in practice
// for the handful of builds a cache ever sees, and short enough to read in /proc/<pid>/maps.
inline constexpr std::size_t kCacheHashPrefix = 16;

// Lowercase hex SHA-256 of `bytes`.
std::string sha256Hex(std::span<const std::byte> bytes);

// One loaded plugin image. It owns the boost::dll::shared_library: the image stays mapped
// while any shared_ptr to it lives, and is dlclose()d by whoever drops the last one. Every
// host-side object wrapping something the plugin created holds one, so the code of an object
// is never unmapped before the object is gone.
class LoadedLibrary final {
 public:
  LoadedLibrary(const LoadedLibrary&) = delete;
  LoadedLibrary& operator=(const LoadedLibrary&) = delete;
  ~LoadedLibrary() = default;

  // The descriptor as checked in the file, with `factory` taken from the loaded image.
  const PluginDescriptor& descriptor() const { return descriptor_; }
  const std::string& pluginName() const { return pluginName_; }
  const std::string& version() const { return version_; }
  const std::vector<std::string>& kinds() const { return kinds_; }
  bool hasKind(std::string_view kind) const;
  // The file the plugin was loaded from (as resolved by the caller) and the copy mapped.
  const std::filesystem::path& sourcePath() const { return sourcePath_; }
  const std::filesystem::path& loadedPath() const { return loadedPath_; }
  const std::string& sha256() const { return sha256_; }

  // Calls the plugin's factory. This is plugin code: it may throw, the caller catches.
  Plugin* createPlugin() const { return descriptor_.factory(); }

 private:
  friend class LibraryLoader;
  LoadedLibrary() = default;

  // Declared first so it is destroyed last: descriptor_.factory points into the image.
  boost::dll::shared_library library_;
  PluginDescriptor descriptor_{};
  std::string pluginName_;
  std::string version_;
  std::vector<std::string> kinds_;
  std::filesystem::path sourcePath_;
  std::filesystem::path loadedPath_;
  std::string sha256_;
};

// Loads plugin files through a content-addressed cache directory. Thread-compatible: it has
// no mutable state; concurrent loads (even from several processes) sharing a cache directory
// are safe because copies are written to a temporary name and renamed into place.
class LibraryLoader final {
 public:
  // The directory is created (mode 0700) on first use. It holds code the host will map, so
  // a directory other users may write to is refused.
  explicit LibraryLoader(std::filesystem::path cacheDir);

  // Reads `file`, checks it (checkPluginFile) before any of its code runs, copies it into the
  // cache, dlopen()s the copy with RTLD_NOW | RTLD_LOCAL (an unresolved symbol fails here,
  // with the dynamic linker's message, rather than at first call), and verifies that the
  // exported `capstan_plugin` alias points at the descriptor the check read from the file.
  // Messages name `file`, not the cached copy.
  Result<std::shared_ptr<const LoadedLibrary>> load(const std::filesystem::path& file) const;

  // The content hash load() would compute for `file` (lowercase hex SHA-256).
  static Result<std::string> contentHash(const std::filesystem::path& file);

  const std::filesystem::path& cacheDir() const { return cacheDir_; }

 private:
  Status prepareCacheDir() const;
  Result<std::filesystem::path> cachedCopy(const std::filesystem::path& file, std::span<const std::byte> bytes,
                                           const std::string& sha256) const;

  std::filesystem::path cacheDir_;
};

}  // namespace capstan::plugin
