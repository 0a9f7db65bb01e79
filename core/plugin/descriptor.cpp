#include "plugin/descriptor.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <algorithm>
#include <optional>
#include <type_traits>

namespace capstan::plugin {
namespace {

#if defined(__x86_64__)
constexpr std::uint16_t kHostMachine = EM_X86_64;
constexpr std::string_view kHostMachineName = "x86-64";
#elif defined(__aarch64__)
constexpr std::uint16_t kHostMachine = EM_AARCH64;
constexpr std::string_view kHostMachineName = "AArch64";
#elif defined(__riscv) && __riscv_xlen == 64
constexpr std::uint16_t kHostMachine = EM_RISCV;
constexpr std::string_view kHostMachineName = "RISC-V";
#elif defined(__powerpc64__)
constexpr std::uint16_t kHostMachine = EM_PPC64;
constexpr std::string_view kHostMachineName = "PowerPC64";
#elif defined(__s390x__)
constexpr std::uint16_t kHostMachine = EM_S390;
constexpr std::string_view kHostMachineName = "s390x";
#else
#error "the plugin loader reads ELF64 files and needs this machine's e_machine value"
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
constexpr unsigned char kHostData = ELFDATA2LSB;
#else
constexpr unsigned char kHostData = ELFDATA2MSB;
#endif

// Listing thousands of symbols (a library linked without the version script) helps nobody.
constexpr std::size_t kMaxListedSymbols = 8;

// Bounds-checked access to the file image. Every read goes through here, so a malformed
// offset or size becomes an error message instead of a read past the buffer.
class ImageReader final {
 public:
  ImageReader(std::span<const std::byte> image, const std::string& fileName)
      : image_(image), fileName_(fileName) {}

  bool contains(std::uint64_t offset, std::uint64_t size) const {
    return offset <= image_.size() && size <= image_.size() - offset;
  }

  template <class T>
  std::optional<T> read(std::uint64_t offset) const {
    static_assert(std::is_trivially_copyable_v<T>);
    if (!contains(offset, sizeof(T))) return std::nullopt;
    T out;
    // memcpy, not a cast: ELF offsets need not be aligned for T inside our buffer.
    std::memcpy(&out, image_.data() + offset, sizeof(T));
    return out;
  }

  std::span<const std::byte> bytes(std::uint64_t offset, std::uint64_t size) const {
    return image_.subspan(offset, size);
  }

  std::size_t size() const { return image_.size(); }

  Status malformed(std::string_view what) const {
    return Status::invalidArgument("plugin " + fileName_ + ": malformed ELF file: " + std::string(what));
  }
  Status truncated(std::string_view what) const {
    return Status::invalidArgument("plugin " + fileName_ + ": truncated ELF file (" + std::to_string(image_.size()) +
                                   " bytes): " + std::string(what) + " lies beyond the end of the file");
  }

 private:
  std::span<const std::byte> image_;
  const std::string& fileName_;
};

// A NUL-terminated string inside a string table section; nullopt if it runs off the table.
std::optional<std::string_view> tableString(std::span<const std::byte> table, std::uint32_t offset) {
  if (offset >= table.size()) return std::nullopt;
  const char* begin = reinterpret_cast<const char*>(table.data()) + offset;
  const void* nul = std::memchr(begin, '\0', table.size() - offset);
  if (!nul) return std::nullopt;
  return std::string_view(begin, static_cast<const char*>(nul) - begin);
}

Result<std::vector<Elf64_Shdr>> readSectionHeaders(const ImageReader& image, const Elf64_Ehdr& header,
                                                   std::uint32_t& shstrndx) {
  if (header.e_shoff == 0) return image.malformed("it has no section headers (a Capstan plugin keeps them)");
  if (header.e_shentsize != sizeof(Elf64_Shdr)) {
    return image.malformed("section header size " + std::to_string(header.e_shentsize) + ", expected " +
                           std::to_string(sizeof(Elf64_Shdr)));
  }
  // Extended numbering: with 0xff00 or more sections the real count and string table index
  // live in section header 0.
  auto first = image.read<Elf64_Shdr>(header.e_shoff);
  if (!first) return image.truncated("the section header table");
  std::uint64_t count = header.e_shnum != 0 ? header.e_shnum : first->sh_size;
  shstrndx = header.e_shstrndx != SHN_XINDEX ? header.e_shstrndx : first->sh_link;
  if (count > image.size() / sizeof(Elf64_Shdr) ||
      !image.contains(header.e_shoff, count * sizeof(Elf64_Shdr))) {
    return image.truncated("the section header table (" + std::to_string(count) + " entries)");
  }
  std::vector<Elf64_Shdr> sections(count);
  for (std::uint64_t i = 0; i < count; ++i) {
    sections[i] = *image.read<Elf64_Shdr>(header.e_shoff + i * sizeof(Elf64_Shdr));
  }
  return sections;
}

// The bytes of a section that occupies file space, or an error naming it.
Result<std::span<const std::byte>> sectionBytes(const ImageReader& image, const Elf64_Shdr& section,
                                                std::string_view name) {
  if (section.sh_type == SHT_NOBITS) return image.malformed("section " + std::string(name) + " has no file contents");
  if (!image.contains(section.sh_offset, section.sh_size)) return image.truncated("section " + std::string(name));
  return image.bytes(section.sh_offset, section.sh_size);
}

Status readExports(const ImageReader& image, const std::vector<Elf64_Shdr>& sections, const Elf64_Shdr& dynsym,
                   PluginFileInfo& out) {
  if (dynsym.sh_entsize != 0 && dynsym.sh_entsize != sizeof(Elf64_Sym)) {
    return image.malformed(".dynsym entry size " + std::to_string(dynsym.sh_entsize));
  }
  if (dynsym.sh_link == 0 || dynsym.sh_link >= sections.size()) {
    return image.malformed(".dynsym names string table " + std::to_string(dynsym.sh_link) + ", which does not exist");
  }
  auto symbols = sectionBytes(image, dynsym, ".dynsym");
  if (!symbols.ok()) return symbols.status();
  auto names = sectionBytes(image, sections[dynsym.sh_link], ".dynstr");
  if (!names.ok()) return names.status();

  const std::size_t count = symbols->size() / sizeof(Elf64_Sym);
  for (std::size_t i = 1; i < count; ++i) {  // entry 0 is the reserved null symbol
    Elf64_Sym sym;
    std::memcpy(&sym, symbols->data() + i * sizeof(Elf64_Sym), sizeof sym);
    if (sym.st_shndx == SHN_UNDEF) continue;  // imported, not exported
    const unsigned binding = ELF64_ST_BIND(sym.st_info);
    if (binding != STB_GLOBAL && binding != STB_WEAK && binding != STB_GNU_UNIQUE) continue;
    const unsigned visibility = ELF64_ST_VISIBILITY(sym.st_other);
    if (visibility != STV_DEFAULT && visibility != STV_PROTECTED) continue;
    auto name = tableString(*names, sym.st_name);
    if (!name) return image.malformed("symbol " + std::to_string(i) + " has a name outside .dynstr");
    out.exportedSymbols.emplace_back(*name);
    if (binding == STB_GNU_UNIQUE) out.uniqueSymbols.emplace_back(*name);
  }
  return {};
}

std::string hex32(std::uint32_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s = "0x";
  for (int shift = 28; shift >= 0; shift -= 4) s += kDigits[(v >> shift) & 0xf];
  return s;
}

std::string listNames(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < kMaxListedSymbols; ++i) {
    if (i) out += ", ";
    out += names[i];
  }
  if (names.size() > kMaxListedSymbols) out += " and " + std::to_string(names.size() - kMaxListedSymbols) + " more";
  return out;
}

template <std::size_t N>
bool terminated(const char (&field)[N]) {
  return std::memchr(field, '\0', N) != nullptr;
}

struct CompilerId {
  std::string_view family;
  std::string_view major;
};

std::optional<CompilerId> parseCompiler(std::string_view id) {
  auto space = id.find(' ');
  if (space == std::string_view::npos || space == 0) return std::nullopt;
  std::string_view version = id.substr(space + 1);
  std::size_t digits = 0;
  while (digits < version.size() && version[digits] >= '0' && version[digits] <= '9') ++digits;
  if (digits == 0 || (digits < version.size() && version[digits] != '.')) return std::nullopt;
  return CompilerId{id.substr(0, space), version.substr(0, digits)};
}

}  // namespace

std::string_view hostCompiler() { return CAPSTAN_COMPILER_ID; }

bool compilersCompatible(std::string_view pluginCompiler, std::string_view hostCompilerId) {
  auto plugin = parseCompiler(pluginCompiler);
  auto host = parseCompiler(hostCompilerId);
  if (!plugin || !host) return pluginCompiler == hostCompilerId;
  return plugin->family == host->family && plugin->major == host->major;
}

std::vector<std::string> splitKinds(std::string_view kinds) {
  std::vector<std::string> out;
  while (!kinds.empty()) {
    auto comma = kinds.find(',');
    std::string_view item = kinds.substr(0, comma);
    kinds = comma == std::string_view::npos ? std::string_view{} : kinds.substr(comma + 1);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
  }
  return out;
}

Result<PluginFileInfo> parsePluginImage(std::span<const std::byte> bytes, const std::string& fileName) {
  ImageReader image(bytes, fileName);
  static constexpr unsigned char kElfMagic[SELFMAG] = {ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3};
  if (bytes.size() < SELFMAG || std::memcmp(bytes.data(), kElfMagic, SELFMAG) != 0) {
    return Status::invalidArgument("plugin " + fileName + ": not an ELF file (a plugin is a shared object, .so)");
  }
  auto header = image.read<Elf64_Ehdr>(0);
  if (!header) return image.truncated("the ELF header");
  if (header->e_ident[EI_CLASS] != ELFCLASS64) {
    return Status::invalidArgument("plugin " + fileName + ": ELF class " + std::to_string(header->e_ident[EI_CLASS]) +
                                   " is not ELF64, which this host loads");
  }
  if (header->e_ident[EI_DATA] != kHostData) {
    return Status::invalidArgument("plugin " + fileName + ": its byte order does not match the host's");
  }
  if (header->e_ident[EI_VERSION] != EV_CURRENT) return image.malformed("unknown ELF version");
  if (header->e_type != ET_DYN) {
    return Status::invalidArgument("plugin " + fileName + ": ELF type " + std::to_string(header->e_type) +
                                   " is not a shared object (ET_DYN); build the plugin with capstan_add_plugin");
  }
  if (header->e_machine != kHostMachine) {
    return Status::invalidArgument("plugin " + fileName + ": built for ELF machine " +
                                   std::to_string(header->e_machine) + ", the host is " +
                                   std::string(kHostMachineName) + " (" + std::to_string(kHostMachine) + ")");
  }

  std::uint32_t shstrndx = 0;
  auto sections = readSectionHeaders(image, *header, shstrndx);
  if (!sections.ok()) return sections.status();
  if (shstrndx == SHN_UNDEF || shstrndx >= sections->size()) {
    return image.malformed("section name table index " + std::to_string(shstrndx) + " is out of range");
  }
  auto sectionNames = sectionBytes(image, (*sections)[shstrndx], ".shstrtab");
  if (!sectionNames.ok()) return sectionNames.status();

  const Elf64_Shdr* descriptorSection = nullptr;
  const Elf64_Shdr* dynsym = nullptr;
  for (const Elf64_Shdr& section : *sections) {
    if (section.sh_type == SHT_DYNSYM) {
      if (dynsym) return image.malformed("more than one .dynsym section");
      dynsym = &section;
    }
    auto name = tableString(*sectionNames, section.sh_name);
    if (!name) return image.malformed("a section name lies outside .shstrtab");
    if (*name == kDescriptorSection) {
      if (descriptorSection) return image.malformed("more than one " + std::string(kDescriptorSection) + " section");
      descriptorSection = &section;
    }
  }

  if (!descriptorSection) {
    return Status::invalidArgument("plugin " + fileName +
                                   ": not a Capstan plugin: it has no " + std::string(kDescriptorSection) +
                                   " section (define the plugin "
                                   "with CAPSTAN_PLUGIN(...) from capstan/plugin.h)");
  }
  PluginFileInfo info;
  auto descriptorBytes = sectionBytes(image, *descriptorSection, kDescriptorSection);
  if (!descriptorBytes.ok()) return descriptorBytes.status();
  if (descriptorBytes->size() < kStableDescriptorPrefix) {
    return Status::invalidArgument("plugin " + fileName + ": its " + std::string(kDescriptorSection) + " section holds " +
                                   std::to_string(descriptorBytes->size()) +
                                   " bytes, too few for a plugin descriptor");
  }
  info.descriptorOffset = descriptorSection->sh_offset;
  info.descriptorBytes = descriptorSection->sh_size;
  std::memcpy(&info.descriptor, descriptorBytes->data(),
              std::min<std::size_t>(descriptorBytes->size(), sizeof(PluginDescriptor)));

  if (dynsym) {
    Status exports = readExports(image, *sections, *dynsym, info);
    if (!exports.ok()) return exports;
  }
  return info;
}

Result<std::vector<std::byte>> readFileBytes(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    if (error == ENOENT) return Status::notFound("plugin file " + file.string() + " does not exist");
    return Status::unavailable("cannot open plugin file " + file.string() + ": " + std::strerror(error));
  }
  // Closes the descriptor on every return path below.
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};

  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    return Status::unavailable("cannot stat plugin file " + file.string() + ": " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) return Status::invalidArgument("plugin file " + file.string() + " is not a regular file");

  std::vector<std::byte> bytes(static_cast<std::size_t>(st.st_size));
  std::size_t done = 0;
  while (true) {
    if (done == bytes.size()) bytes.resize(bytes.size() + 64 * 1024);  // the file grew meanwhile
    const ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::unavailable("cannot read plugin file " + file.string() + ": " + std::strerror(errno));
    }
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  bytes.resize(done);
  return bytes;
}

Result<PluginFileInfo> readPluginFile(const std::filesystem::path& file) {
  auto bytes = readFileBytes(file);
  if (!bytes.ok()) return bytes.status();
  return parsePluginImage(*bytes, file.string());
}

Status checkPluginFile(const PluginFileInfo& info, const std::string& fileName) {
  const PluginDescriptor& d = info.descriptor;
  const std::string plugin = "plugin " + fileName + ": ";
  const std::string rebuild = " (rebuild the plugin against this Capstan's plugin-api)";
  const std::string toolchain = " (rebuild the plugin with the host's toolchain)";

  if (d.magic != kDescriptorMagic) {
    return Status::failedPrecondition(plugin + "descriptor magic " + hex32(d.magic) + " is not the host's " +
                                      hex32(kDescriptorMagic) +
                                      " (its " + std::string(kDescriptorSection) +
                                      " section does not hold a Capstan plugin descriptor)");
  }
  if (d.pluginAbi != kPluginAbiVersion) {
    return Status::failedPrecondition(plugin + "plugin ABI " + std::to_string(d.pluginAbi) +
                                      " does not match the host's plugin ABI " + std::to_string(kPluginAbiVersion) +
                                      rebuild);
  }
  if (d.descriptorSize != sizeof(PluginDescriptor) || info.descriptorBytes != sizeof(PluginDescriptor)) {
    return Status::failedPrecondition(plugin + "descriptor size " + std::to_string(d.descriptorSize) + " (section: " +
                                      std::to_string(info.descriptorBytes) + " bytes) does not match the host's " +
                                      std::to_string(sizeof(PluginDescriptor)) + rebuild);
  }
  if (d.gxxAbi != __GXX_ABI_VERSION) {
    return Status::failedPrecondition(plugin + "C++ ABI (__GXX_ABI_VERSION) " + std::to_string(d.gxxAbi) +
                                      " does not match the host's " + std::to_string(__GXX_ABI_VERSION) + toolchain);
  }
  if (d.cxx11Abi != _GLIBCXX_USE_CXX11_ABI) {
    return Status::failedPrecondition(plugin + "_GLIBCXX_USE_CXX11_ABI " + std::to_string(d.cxx11Abi) +
                                      " does not match the host's " + std::to_string(_GLIBCXX_USE_CXX11_ABI) +
                                      " (std::string and std::list differ between them; rebuild the plugin with "
                                      "the host's setting)");
  }

  struct Field {
    std::string_view name;
    bool terminated;
    std::size_t length;
  };
  const Field fields[] = {
      {"compiler", terminated(d.compiler), fieldString(d.compiler).size()},
      {"name", terminated(d.name), fieldString(d.name).size()},
      {"version", terminated(d.version), fieldString(d.version).size()},
      {"kinds", terminated(d.kinds), fieldString(d.kinds).size()},
      {"description", terminated(d.description), 1},  // may be empty
  };
  for (const Field& f : fields) {
    if (!f.terminated) {
      return Status::invalidArgument(plugin + "descriptor field `" + std::string(f.name) + "` is not NUL-terminated");
    }
    if (f.length == 0) {
      return Status::invalidArgument(plugin + "descriptor field `" + std::string(f.name) + "` is empty");
    }
  }
  if (splitKinds(fieldString(d.kinds)).empty()) {
    return Status::invalidArgument(plugin + "descriptor declares no kinds (kinds: \"" +
                                   std::string(fieldString(d.kinds)) + "\")");
  }
  if (!compilersCompatible(fieldString(d.compiler), hostCompiler())) {
    return Status::failedPrecondition(plugin + "compiler " + std::string(fieldString(d.compiler)) +
                                      " does not match the host's compiler " + std::string(hostCompiler()) +
                                      " (the compiler and its major version must be the same; rebuild the plugin "
                                      "with the host's toolchain)");
  }

  std::vector<std::string> extra;
  bool exportsDescriptor = false;
  for (const std::string& symbol : info.exportedSymbols) {
    if (symbol == kDescriptorSymbol) {
      exportsDescriptor = true;
    } else {
      extra.push_back(symbol);
    }
  }
  if (!exportsDescriptor || !extra.empty()) {
    std::string message = plugin + "a plugin exports exactly one symbol, `capstan_plugin`;";
    if (!exportsDescriptor) message += " missing: capstan_plugin;";
    if (!extra.empty()) message += " extra: " + listNames(extra) + ";";
    message += " link it with capstan_add_plugin (its version script and -fvisibility=hidden)";
    if (!info.uniqueSymbols.empty()) {
      message += "; STB_GNU_UNIQUE symbols (" + listNames(info.uniqueSymbols) +
                 ") would also keep dlclose() from unloading it: compile with -fno-gnu-unique";
    }
    return Status::failedPrecondition(std::move(message));
  }
  return {};
}

}  // namespace capstan::plugin
